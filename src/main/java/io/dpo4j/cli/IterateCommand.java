package io.dpo4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.data.FieldNames;
import io.dpo4j.data.ReadLimits;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.iterate.IterateConfig;
import io.dpo4j.iterate.IterateDefaults;
import io.dpo4j.iterate.Iteration;
import io.dpo4j.iterate.LengthControl;
import io.dpo4j.iterate.ReferenceMode;
import io.dpo4j.iterate.ReportTable;
import io.dpo4j.iterate.RoundTrainer;
import io.dpo4j.judge.FailurePolicy;
import io.dpo4j.judge.Judge;
import io.dpo4j.judge.Judges;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dpo4j iterate}: iterative (online) DPO — rounds of generate, judge, pair, train, evaluate. */
@Command(name = "iterate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Iterative (online) DPO. Round 0 evaluates the start model; each round samples completions of "
                + "its training prompts from the current policy, scores them with the judge, pairs each prompt's best "
                + "and worst sample, trains on the pairs (a train run in <output>/round-N/train, policy from the "
                + "previous round, train options below) and evaluates the new policy on held-out prompts: judge "
                + "reward, completion length, KL to the start model, win rate against it. <output>/round-N/ keeps "
                + "every round's generations, scores and pairs (JSONL) and report.jsonl one row per round; a rerun "
                + "with the same options continues at the first incomplete round.",
                "With no options: the controlled-sentiment demo (tiny GPT-2, IMDb prompts, a sentiment classifier "
                        + "as judge, 3 rounds).",
                "Length control: --length-target L > 0 adds the judge length:L@" + IterateDefaults.LENGTH_JUDGE_WEIGHT
                        + " to the default judge when no --judge is given (a given --judge list is used as it is) "
                        + "and sets --length-lambda to " + IterateDefaults.LENGTH_LAMBDA_SCALE + "/L^2 when it is "
                        + "not given (a given value, 0 included, is kept); the run prints the effective judge and "
                        + "lambda."},
        footer = {"", "Examples:",
                "  dpo4j iterate",
                "  dpo4j iterate --prompts prompts.jsonl --eval-prompts heldout.jsonl --judge onnx:judges/rm --rounds 4",
                "  dpo4j iterate --judge onnx:artifacts/judges/sentiment@1 --judge length:12@0.5 --reference refresh",
                "  dpo4j iterate --stop y --max-new-tokens 64 --samples-per-prompt 8 --epochs 2 --length-target 32",
                "  dpo4j iterate --judge 'cmd:python3 my_judge.py' --judge-failures retry:2,skip --min-margin 0.1",
                "  dpo4j iterate --config runs/iterate/config.yaml --rounds 5   # the same run, two more rounds",
                "  dpo4j train --config runs/iterate/round-2/train/config.yaml --output /tmp/replay   # replay a round"})
final class IterateCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory (with the KV-cache graph). Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--prompts", paramLabel = "FILE", description = "Training prompts (JSONL, JSON, CSV, TSV; field "
            + "--prompt-field). Default: " + EmbeddedDefault.TRAIN + " (with " + EmbeddedDefault.EVAL + " held out).")
    Path prompts;

    @Option(names = "--eval-prompts", paramLabel = "FILE", description = "Held-out prompts; without it "
            + "--eval-fraction of --prompts is held out. Default: none.")
    Path evalPrompts;

    @Option(names = "--eval-fraction", defaultValue = IterateDefaults.EVAL_FRACTION,
            description = "Fraction of --prompts held out (seeded) when there is no --eval-prompts. "
                    + "Default: ${DEFAULT-VALUE}.")
    double evalFraction;

    @Option(names = "--rounds", defaultValue = IterateDefaults.ROUNDS,
            description = "Rounds after round 0 (the start model's evaluation); a larger value extends a finished "
                    + "run. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--prompts-per-round", defaultValue = IterateDefaults.PROMPTS_PER_ROUND,
            description = "Training prompts per round, taken in turn from a seeded permutation; 0 = all every round. "
                    + "Default: ${DEFAULT-VALUE}.")
    int promptsPerRound;

    @Option(names = "--samples-per-prompt", defaultValue = IterateDefaults.SAMPLES_PER_PROMPT,
            description = "Completions sampled per training prompt (>= 2). Default: ${DEFAULT-VALUE}.")
    int samplesPerPrompt;

    @Option(names = "--max-new-tokens", defaultValue = IterateDefaults.MAX_NEW_TOKENS,
            description = "Tokens generated at most per completion. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = IterateDefaults.TEMPERATURE,
            description = "Sampling temperature (> 0). Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", defaultValue = IterateDefaults.TOP_K,
            description = "Sample among the k most likely tokens; 0 = all. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", defaultValue = IterateDefaults.TOP_P,
            description = "Nucleus sampling threshold; 1 = off. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--repetition-penalty", defaultValue = IterateDefaults.REPETITION_PENALTY,
            description = "transformers' repetition penalty; 1 = off. Default: ${DEFAULT-VALUE}.")
    double repetitionPenalty;

    @Option(names = "--stop", description = "Stop a completion once its text contains this string; repeatable. "
            + "Default: none.")
    List<String> stop = new ArrayList<>();

    @Option(names = "--seed", defaultValue = IterateDefaults.SEED,
            description = "Seed of sampling, the prompt order, the held-out split and each round's batch order "
                    + "(round r trains with --seed + r). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--judge", paramLabel = "SPEC", description = "Judge spec, repeatable (several: weighted sum): "
            + "onnx:DIR (sequence classifier / reward model), cmd:PROGRAM ARGS (JSONL over stdin/stdout, no shell), "
            + "length:L (closeness to L tokens), each optionally @WEIGHT. Default: " + EmbeddedDefault.JUDGE + ".")
    List<String> judges = new ArrayList<>();

    @Option(names = "--judge-failures", defaultValue = IterateDefaults.JUDGE_FAILURES,
            description = "When the judge cannot score a candidate: " + FailurePolicy.SYNTAX + " (skipped candidates "
                    + "are left out of pairs and statistics, never scored 0). Default: ${DEFAULT-VALUE}.")
    String judgeFailures;

    @Option(names = "--judge-timeout", defaultValue = "30",
            description = "Seconds a cmd: judge may take per candidate. Default: ${DEFAULT-VALUE}.")
    int judgeTimeout;

    @Option(names = "--min-margin", defaultValue = IterateDefaults.MIN_MARGIN,
            description = "Smallest best − worst score kept as a pair (ties are always dropped). "
                    + "Default: ${DEFAULT-VALUE}.")
    double minMargin;

    @Option(names = "--reference", defaultValue = IterateDefaults.REFERENCE,
            description = "Reference model of each round's loss: fixed (the start model) or refresh (the previous "
                    + "round's policy). Default: ${DEFAULT-VALUE}.")
    String reference;

    @Option(names = "--eval-samples", defaultValue = IterateDefaults.EVAL_SAMPLES,
            description = "Completions per held-out prompt at each evaluation. Default: ${DEFAULT-VALUE}.")
    int evalSamples;

    @Option(names = "--eval-max-prompts", defaultValue = IterateDefaults.EVAL_MAX_PROMPTS,
            description = "Held-out prompts evaluated at most (the first ones); 0 = all. Default: ${DEFAULT-VALUE}.")
    int evalMaxPrompts;

    @Option(names = "--length-band", defaultValue = IterateDefaults.LENGTH_BAND,
            description = "With --length-target L > 0: the report gives the fraction of held-out completions whose "
                    + "length is within L ± this fraction of L. Default: ${DEFAULT-VALUE}.")
    double lengthBand;

    @Option(names = "--output", defaultValue = IterateDefaults.OUTPUT,
            description = "Run directory (iterate.json, report.jsonl, round-N/), locked while a run uses it. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Reference log-prob cache of the rounds' training. Default: <output>/ref-cache.")
    Path cacheDir;

    @Mixin
    TrainOptions train;

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
            description = "YAML file of option values (keys = option names without dashes; lists for repeatable "
                    + "options); the command line overrides it. Every run writes its effective options to "
                    + "<output>/config.yaml. Default: none.")
    Path config;

    @Spec
    CommandSpec spec;

    /** Train options whose iterate default differs from train's (see {@link IterateDefaults#TRAIN_EPOCHS}). */
    static final Map<String, String> TRAIN_DEFAULTS = Map.of("epochs", IterateDefaults.TRAIN_EPOCHS);

    /**
     * @param file the {@code --config} file, or null
     * @return the iterate command's default values: the file's, else {@link #TRAIN_DEFAULTS}, else the options' own
     */
    static CommandLine.IDefaultValueProvider defaults(CommandLine.IDefaultValueProvider file) {
        return arg -> {
            String v = file == null ? null : file.defaultValue(arg);
            if (v == null && arg instanceof OptionSpec o) {
                v = TRAIN_DEFAULTS.get(o.longestName().replaceFirst("^-+", ""));
            }
            return v;
        };
    }

    /** Train options iterate does not pass on: the pairs file uses the standard fields, and it has no skip report. */
    private static final Set<String> NOT_FORWARDED = Set.of("prompt-field", "id-field", "chosen-field",
            "rejected-field", "preference-field", "weight-field", "skip-report");

    @Override
    public Integer call() {
        IterateConfig cfg = toConfig();
        String lengthLine = lengthControl().describe(train.loss.lengthTarget);
        String effective = effectiveConfig();
        Map<String, String> identity = new LinkedHashMap<>(ConfigFile.values(spec));
        identity.remove("output"); // the directory itself: a run moved elsewhere continues
        identity.put("judge", String.join("\n", cfg.judgeSpecs()));
        identity.put("prompts", cfg.prompts().toString());
        identity.put("eval-prompts", String.valueOf(cfg.evalPrompts()));
        List<ObjectNode> rows;
        try (Judge judge = Judges.open(cfg.judgeSpecs(), cfg.session(), Duration.ofSeconds(judgeTimeout))) {
            rows = new Iteration(cfg, judge, this::trainRound, identity, spec.commandLine().getErr())
                    .run(() -> {
                        ConfigFile.writeRunFile(output, effective, config);
                        spec.commandLine().getErr().println(lengthLine); // once the options are accepted
                    });
        }
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println(lengthLine);
        out.print(ReportTable.format(rows));
        out.printf("report: %s%n", output.resolve("report.jsonl"));
        out.flush();
        return 0;
    }

    /**
     * @return the run's settings; without --prompts the embedded demo's files and judge. The train options are
     *     validated here too (as a round's training will see them: no held-out pairs).
     */
    IterateConfig toConfig() {
        refuseUnusedOptions();
        boolean embedded = prompts == null;
        LengthControl length = lengthControl();
        // what --length-target engaged becomes the options' values: config.yaml, the resume check and each round's
        // train options see it
        if (length.judgeAdded()) {
            judges = new ArrayList<>(length.judgeSpecs());
        }
        if (length.lambdaDefaulted()) {
            train.loss.lengthLambda = length.lengthLambda();
        }
        List<String> judgeSpecs = length.judgeSpecs();
        var data = train.dataOptions.toOptions();
        IterateConfig cfg = IterateConfig.builder(artifacts,
                        embedded ? EmbeddedDefault.resolve(EmbeddedDefault.TRAIN) : prompts, judgeSpecs, output)
                .evalPrompts(evalPrompts != null ? evalPrompts
                        : embedded ? EmbeddedDefault.resolve(EmbeddedDefault.EVAL) : null)
                .evalFraction(evalFraction).rounds(rounds)
                .fields(data.fields().prompt(), data.fields().id())
                .reading(data.onBadRow(), data.limits()).promptsPerRound(promptsPerRound)
                .samplesPerPrompt(samplesPerPrompt)
                .sampling(new SamplingConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, 1, seed, stop))
                .seed(seed).judgeFailures(FailurePolicy.parse(judgeFailures)).minMargin(minMargin)
                .reference(ReferenceMode.parse(reference)).eval(evalSamples, evalMaxPrompts)
                .lengthBand(train.loss.lengthTarget > 0 ? train.loss.lengthTarget : null, lengthBand)
                .lengths(data.maxPromptLength(), data.maxLength()).session(train.runtime.sessionConfig(seed)).build();
        train.applyTo(io.dpo4j.train.TrainConfig.builder(artifacts, cfg.prompts())).evalFraction(0).build();
        return cfg;
    }

    /**
     * @return the run's config.yaml text (after {@link #toConfig}); without a target and without a given λ, λ is not
     *     recorded, so a {@code --config} rerun that adds a target still gets the default λ
     */
    String effectiveConfig() {
        return ConfigFile.effective(spec, train.loss.lengthTarget > 0 || given("--length-lambda")
                ? Set.of() : Set.of("length-lambda"));
    }

    /**
     * @return the effective judge specs and iLR-DPO λ (see {@link LengthControl}): a {@code --judge} or
     *     {@code --length-lambda} counts as given when it is on the command line or in the {@code --config} file
     */
    LengthControl lengthControl() {
        return LengthControl.resolve(train.loss.lengthTarget, given("--judge") ? judges : List.of(),
                List.of(EmbeddedDefault.resolveText(EmbeddedDefault.JUDGE)),
                given("--length-lambda") ? train.loss.lengthLambda : null);
    }

    /** @return whether option {@code name} is on the command line (a --config list is put there) or a --config key */
    private boolean given(String name) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed != null && parsed.hasMatchedOption(name)) {
            return true;
        }
        OptionSpec o = spec.findOption(name);
        CommandLine.IDefaultValueProvider p = spec.defaultValueProvider();
        try {
            // iterate's provider answers with the file's value, else TRAIN_DEFAULTS (which has neither option)
            return p != null && !TRAIN_DEFAULTS.containsKey(name.substring(2)) && p.defaultValue(o) != null;
        } catch (Exception e) {
            throw new IllegalStateException("reading the default of " + name + ": " + e.getMessage(), e);
        }
    }

    /** Options of train that iterate takes but has no use for are refused rather than silently ignored. */
    private void refuseUnusedOptions() {
        for (String k : List.of("chosen-field", "rejected-field", "preference-field", "weight-field",
                "skip-report")) {
            OptionSpec o = spec.findOption("--" + k);
            Object v = o.getValue();
            String dflt = o.defaultValue();
            if (v != null && !String.valueOf(v).equals(dflt)) {
                throw new IllegalArgumentException("--" + k + ": not used by iterate (its pairs files use the "
                        + "standard fields, skipped prompt rows are listed on stderr); remove it");
            }
        }
    }

    /**
     * One round's training as an ordinary {@code dpo4j train} run: train's own option parsing and validation, with
     * this command's train options as defaults, and the round's files, seed, starting and reference checkpoints.
     */
    private RoundTrainer.Trained trainRound(RoundTrainer.Request req) {
        Map<String, String> values = new LinkedHashMap<>();
        CommandSpec trainSpec = new CommandLine(new TrainCommand()).getCommandSpec();
        for (OptionSpec o : spec.options()) {
            String key = o.longestName().replaceFirst("^-+", "");
            Object v = o.getValue();
            if (trainSpec.findOption(o.longestName()) != null && isTrainOption(o) && !NOT_FORWARDED.contains(key)
                    && v != null) {
                values.put(key, v.toString());
            }
        }
        CommandLine cl = new CommandLine(new TrainCommand());
        cl.setDefaultValueProvider(arg -> arg instanceof OptionSpec os
                ? values.get(os.longestName().replaceFirst("^-+", "")) : null);
        List<String> args = new ArrayList<>(List.of("--artifacts", artifacts.toString(), "--data",
                req.pairs().toString(), "--eval-fraction", "0", "--seed", String.valueOf(req.seed()), "--output",
                req.outputDir().toString(), "--cache-dir", (cacheDir != null ? cacheDir
                        : output.resolve("ref-cache")).toString(),
                "--prompt-field", "prompt", "--id-field", "id"));
        if (req.batchSize(train.batchSize) < train.batchSize) {
            args.addAll(List.of("--batch-size", String.valueOf(req.batchSize(train.batchSize))));
            req.log().printf("round %d: %d pairs, fewer than --batch-size %d: micro-batches of %d%n", req.round(),
                    req.pairCount(), train.batchSize, req.pairCount());
        }
        if (req.initFrom() != null) {
            args.addAll(List.of("--init-from", req.initFrom().toString()));
        }
        if (req.referenceFrom() != null) {
            args.addAll(List.of("--reference-from", req.referenceFrom().toString()));
        }
        cl.parseArgs(args.toArray(String[]::new));
        TrainCommand t = cl.getCommand();
        return RoundTrainer.trained(t.fit(t.toConfig(), req.log()));
    }

    /** @return whether {@code o} comes from the {@link TrainOptions} mixin (train's non-file options) */
    private boolean isTrainOption(OptionSpec o) {
        CommandSpec mixin = spec.mixins().get("train");
        return mixin.findOption(o.longestName()) != null;
    }
}
