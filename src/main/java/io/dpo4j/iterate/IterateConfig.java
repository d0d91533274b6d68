package io.dpo4j.iterate;

import io.dpo4j.data.OnBadRow;
import io.dpo4j.data.ReadLimits;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.judge.FailurePolicy;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything an iterative DPO run needs besides its judge and its per-round trainer, validated on construction (each
 * message names the option). Build one with {@link #builder} (defaults: {@link IterateDefaults}).
 *
 * @param artifacts        artifact directory (tools/export/export.py output, with the KV-cache graph)
 * @param rounds           rounds to run (round 0, the start model's evaluation, comes first)
 * @param prompts          training prompts file (JSONL, JSON, CSV, TSV)
 * @param evalPrompts      held-out prompts file, or null to hold out {@code evalFraction} of {@code prompts}
 * @param evalFraction     fraction of {@code prompts} held out (seeded) when {@code evalPrompts} is null, in (0, 1)
 * @param promptField      field holding the prompt in both files
 * @param idField          optional field holding a prompt id
 * @param onBadRow         what a bad prompt row does
 * @param limits           read limits of the prompt files
 * @param promptsPerRound  training prompts per round (a seeded permutation taken in turn); 0 = all every round
 * @param samplesPerPrompt completions sampled per training prompt, ≥ 2
 * @param sampling         sampling settings of both training and evaluation samples ({@code samples} and
 *                         {@code seed} are set per use); temperature > 0
 * @param seed             seed of sampling, prompt order, the held-out split and each round's batch order
 * @param judgeSpecs       the judge specs (recorded in the report; the judge itself is given to {@link Iteration})
 * @param judgeFailures    what a judge failure does
 * @param minMargin        smallest best − worst margin kept as a pair, ≥ 0
 * @param reference        reference model of each round's loss
 * @param evalSamples      completions per held-out prompt at each evaluation, ≥ 1
 * @param evalMaxPrompts   held-out prompts evaluated at most; 0 = all
 * @param lengthTarget     target completion length in tokens for the length-band statistic, or null for none
 * @param lengthBand       relative half-width of that band, > 0
 * @param maxPromptLength  longest prompt in tokens (the training's {@code --max-prompt-length}); longer prompts are
 *                         left out, so training sees the prompt that was sampled from
 * @param maxLength        longest prompt + completion in training ({@code --max-length}); must hold the longest
 *                         prompt plus {@code sampling.maxNewTokens()}
 * @param output           run directory
 * @param session          where and how ORT runs generation and log-probs
 */
public record IterateConfig(Path artifacts, int rounds, Path prompts, Path evalPrompts, double evalFraction,
                            String promptField, String idField, OnBadRow onBadRow, ReadLimits limits,
                            int promptsPerRound, int samplesPerPrompt, SamplingConfig sampling, long seed,
                            List<String> judgeSpecs, FailurePolicy judgeFailures, double minMargin,
                            ReferenceMode reference, int evalSamples, int evalMaxPrompts, Double lengthTarget,
                            double lengthBand, int maxPromptLength, int maxLength, Path output,
                            SessionConfig session) {

    /** Validates every value, naming the option. */
    public IterateConfig {
        Objects.requireNonNull(artifacts, "artifacts");
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(promptField, "prompt field");
        Objects.requireNonNull(idField, "id field");
        Objects.requireNonNull(onBadRow, "on bad row");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(judgeFailures, "judge failures");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(session, "session");
        judgeSpecs = List.copyOf(judgeSpecs);
        check(rounds >= 1, "--rounds", ">= 1", rounds);
        check(evalPrompts != null || (evalFraction > 0 && evalFraction < 1), "--eval-fraction",
                "a value in (0, 1) (or --eval-prompts)", evalFraction);
        check(promptsPerRound >= 0, "--prompts-per-round", ">= 0 (0 = all)", promptsPerRound);
        check(samplesPerPrompt >= 2, "--samples-per-prompt", ">= 2 (a pair needs two samples)", samplesPerPrompt);
        check(sampling.temperature() > 0, "--temperature", "> 0 (greedy decoding gives every sample of a prompt "
                + "the same text)", sampling.temperature());
        check(!judgeSpecs.isEmpty(), "--judge", "at least one judge spec", "none");
        check(minMargin >= 0 && Double.isFinite(minMargin), "--min-margin", "a finite value >= 0", minMargin);
        check(evalSamples >= 1, "--eval-samples", ">= 1", evalSamples);
        check(evalMaxPrompts >= 0, "--eval-max-prompts", ">= 0 (0 = all)", evalMaxPrompts);
        check(lengthTarget == null || (lengthTarget > 0 && Double.isFinite(lengthTarget)), "--length-target",
                "a finite value > 0", lengthTarget);
        check(lengthBand > 0 && Double.isFinite(lengthBand), "--length-band", "a finite value > 0", lengthBand);
        check(maxPromptLength >= 1, "--max-prompt-length", ">= 1", maxPromptLength);
        check((long) maxPromptLength + sampling.maxNewTokens() <= maxLength, "--max-new-tokens",
                "at most --max-length − --max-prompt-length = " + (maxLength - maxPromptLength)
                        + " (a longer completion would be cut when it is trained on)", sampling.maxNewTokens());
    }

    private static void check(boolean ok, String option, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException(option + ": expected " + expected + ", found " + found);
        }
    }

    /** @return a builder with {@link IterateDefaults} for everything but the given values */
    public static IterateConfigBuilder builder(Path artifacts, Path prompts, List<String> judgeSpecs, Path output) {
        return new IterateConfigBuilder(artifacts, prompts, judgeSpecs, output);
    }

    /** @return the sampling settings of a use: {@code samples} per prompt from {@code seed} */
    SamplingConfig sampling(int samples, long seedOfUse) {
        return new SamplingConfig(sampling.maxNewTokens(), sampling.temperature(), sampling.topK(), sampling.topP(),
                sampling.repetitionPenalty(), samples, seedOfUse, sampling.stopStrings());
    }
}
