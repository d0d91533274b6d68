package io.dpo4j.iterate;

import io.dpo4j.data.DataOptions;
import io.dpo4j.data.OnBadRow;
import io.dpo4j.data.PromptReader;
import io.dpo4j.data.ReadLimits;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.judge.FailurePolicy;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.List;

/** Builds an {@link IterateConfig} by name from {@link IterateDefaults}; {@link #build()} validates. */
public final class IterateConfigBuilder {
    private final Path artifacts, prompts, output;
    private final List<String> judgeSpecs;
    private int rounds = Integer.parseInt(IterateDefaults.ROUNDS);
    private Path evalPrompts;
    private double evalFraction = Double.parseDouble(IterateDefaults.EVAL_FRACTION);
    private String promptField = PromptReader.DEFAULT_FIELD;
    private String idField = "id";
    private OnBadRow onBadRow = OnBadRow.FAIL;
    private ReadLimits limits = ReadLimits.DEFAULTS;
    private int promptsPerRound = Integer.parseInt(IterateDefaults.PROMPTS_PER_ROUND);
    private int samplesPerPrompt = Integer.parseInt(IterateDefaults.SAMPLES_PER_PROMPT);
    private SamplingConfig sampling = new SamplingConfig(Integer.parseInt(IterateDefaults.MAX_NEW_TOKENS),
            Double.parseDouble(IterateDefaults.TEMPERATURE), Integer.parseInt(IterateDefaults.TOP_K),
            Double.parseDouble(IterateDefaults.TOP_P), Double.parseDouble(IterateDefaults.REPETITION_PENALTY), 1, 0,
            List.of());
    private long seed = Long.parseLong(IterateDefaults.SEED);
    private FailurePolicy judgeFailures = FailurePolicy.parse(IterateDefaults.JUDGE_FAILURES);
    private double minMargin = Double.parseDouble(IterateDefaults.MIN_MARGIN);
    private ReferenceMode reference = ReferenceMode.parse(IterateDefaults.REFERENCE);
    private int evalSamples = Integer.parseInt(IterateDefaults.EVAL_SAMPLES);
    private int evalMaxPrompts = Integer.parseInt(IterateDefaults.EVAL_MAX_PROMPTS);
    private Double lengthTarget;
    private double lengthBand = Double.parseDouble(IterateDefaults.LENGTH_BAND);
    private int maxPromptLength = Integer.parseInt(DataOptions.DEFAULT_MAX_PROMPT_LENGTH);
    private int maxLength = Integer.parseInt(DataOptions.DEFAULT_MAX_LENGTH);
    private SessionConfig session = SessionConfig.cpuDefaults();

    IterateConfigBuilder(Path artifacts, Path prompts, List<String> judgeSpecs, Path output) {
        this.artifacts = artifacts;
        this.prompts = prompts;
        this.judgeSpecs = judgeSpecs;
        this.output = output;
    }

    /** @param v rounds to run */
    public IterateConfigBuilder rounds(int v) { rounds = v; return this; }

    /** @param v held-out prompts file, or null to split {@link #evalFraction} off the prompts */
    public IterateConfigBuilder evalPrompts(Path v) { evalPrompts = v; return this; }

    /** @param v fraction of the prompts held out without a held-out file */
    public IterateConfigBuilder evalFraction(double v) { evalFraction = v; return this; }

    /** @param field prompt field; @param id id field */
    public IterateConfigBuilder fields(String field, String id) { promptField = field; idField = id; return this; }

    /** @param v what a bad prompt row does; @param l read limits */
    public IterateConfigBuilder reading(OnBadRow v, ReadLimits l) { onBadRow = v; limits = l; return this; }

    /** @param v training prompts per round; 0 = all */
    public IterateConfigBuilder promptsPerRound(int v) { promptsPerRound = v; return this; }

    /** @param v completions per training prompt */
    public IterateConfigBuilder samplesPerPrompt(int v) { samplesPerPrompt = v; return this; }

    /** @param v sampling settings (its samples and seed are set per use) */
    public IterateConfigBuilder sampling(SamplingConfig v) { sampling = v; return this; }

    /** @param v the run's seed */
    public IterateConfigBuilder seed(long v) { seed = v; return this; }

    /** @param v what a judge failure does */
    public IterateConfigBuilder judgeFailures(FailurePolicy v) { judgeFailures = v; return this; }

    /** @param v smallest margin kept */
    public IterateConfigBuilder minMargin(double v) { minMargin = v; return this; }

    /** @param v reference model of each round */
    public IterateConfigBuilder reference(ReferenceMode v) { reference = v; return this; }

    /** @param samples per held-out prompt; @param maxPrompts held-out prompts at most (0 = all) */
    public IterateConfigBuilder eval(int samples, int maxPrompts) {
        evalSamples = samples;
        evalMaxPrompts = maxPrompts;
        return this;
    }

    /** @param target target length (null = none); @param band relative half-width */
    public IterateConfigBuilder lengthBand(Double target, double band) {
        lengthTarget = target;
        lengthBand = band;
        return this;
    }

    /** @param maxPrompt training's --max-prompt-length; @param max training's --max-length */
    public IterateConfigBuilder lengths(int maxPrompt, int max) {
        maxPromptLength = maxPrompt;
        maxLength = max;
        return this;
    }

    /** @param v where and how ORT runs generation and log-probs */
    public IterateConfigBuilder session(SessionConfig v) { session = v; return this; }

    /** @return the validated configuration */
    public IterateConfig build() {
        return new IterateConfig(artifacts, rounds, prompts, evalPrompts, evalFraction, promptField, idField, onBadRow,
                limits, promptsPerRound, samplesPerPrompt, sampling, seed, judgeSpecs, judgeFailures, minMargin,
                reference, evalSamples, evalMaxPrompts, lengthTarget, lengthBand, maxPromptLength, maxLength, output,
                session);
    }
}
