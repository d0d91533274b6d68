package io.dpo4j.train;

import io.dpo4j.data.DataOptions;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.runtime.Device;
import io.dpo4j.runtime.SessionTuning;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a training run needs, validated on construction (each message names the option). Build one by name
 * with {@link #builder} (defaults: {@link TrainDefaults}); the canonical constructor lists every value.
 *
 * @param artifacts     artifact directory (tools/export/export.py output)
 * @param trainData     training preference file
 * @param evalData      held-out file, or null to split {@code evalFraction} off the training file
 * @param evalFraction  fraction held out when {@code evalData} is null, in [0, 1)
 * @param data          reading, field names, truncation and bad-row policy
 * @param loss          loss variant and coefficients
 * @param batchSize     pairs per micro-batch B
 * @param gradAccum     micro-batches per optimizer step
 * @param epochs        passes over the training pairs (used when {@code maxSteps} is 0)
 * @param maxSteps      optimizer steps to run; 0 = derived from epochs
 * @param learningRate  peak learning rate
 * @param schedule      shape after warmup
 * @param warmupRatio   fraction of the total steps used for linear warmup, in [0, 1)
 * @param seed          seed of the split and the batch order
 * @param logEvery      optimizer steps between metric records
 * @param evalEvery     optimizer steps between evaluations; 0 = only at the end
 * @param saveEvery     optimizer steps between checkpoints; 0 = only at the end
 * @param outputDir     where metrics.jsonl and checkpoints go
 * @param cacheDir      reference log-prob cache directory
 * @param resumeFrom    checkpoint directory to resume from, or null
 * @param device        cpu or cuda:N
 * @param threads       intra-op threads; 0 = ORT's default
 * @param deterministic ORT deterministic compute
 * @param progress      show a progress bar (only on a terminal)
 * @param saveTotalLimit checkpoints kept under {@code outputDir/checkpoints}, newest first; 0 = keep all
 * @param saveBest      also keep the checkpoint with the lowest eval loss, beyond {@code saveTotalLimit}
 * @param saveOnlyModel checkpoints hold the parameters only, not the AdamW moments and step (half the bytes or less, and
 *                      no in-memory copy of the moments while ORT writes them); such a checkpoint cannot be resumed
 * @param tuning        ORT's CPU arena, memory pattern and spinning (memory and speed only, not results)
 * @param initFrom      checkpoint directory whose parameters the policy starts from (the optimizer starts fresh), or
 *                      null for the artifacts' starting weights; ignored by a resume, which continues its checkpoint
 * @param referenceFrom checkpoint directory whose parameters compute the reference log-probs, or null for the
 *                      artifacts' starting weights ({@code reference_model.onnx} as exported)
 * @param initAdapter   PEFT LoRA adapter directory whose weights replace the LoRA artifacts' starting adapters, or
 *                      null (ignored on resume: the checkpoint holds the adapters)
 */
public record TrainConfig(Path artifacts, Path trainData, Path evalData, double evalFraction, DataOptions data,
                          LossConfig loss, int batchSize, int gradAccum, int epochs, long maxSteps,
                          double learningRate, LrSchedule.Kind schedule, double warmupRatio, long seed,
                          int logEvery, int evalEvery, int saveEvery, Path outputDir, Path cacheDir, Path resumeFrom,
                          Device device, int threads, boolean deterministic, boolean progress,
                          int saveTotalLimit, boolean saveBest, boolean saveOnlyModel, SessionTuning tuning,
                          Path initFrom,
                          Path referenceFrom, Path initAdapter) {

    /** Validates every option. */
    public TrainConfig {
        Objects.requireNonNull(artifacts, "artifacts");
        Objects.requireNonNull(trainData, "train data");
        Objects.requireNonNull(data, "data options");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(outputDir, "output dir");
        Objects.requireNonNull(cacheDir, "cache dir");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(tuning, "session tuning");
        check(evalFraction >= 0 && evalFraction < 1, "--eval-fraction", "a value in [0, 1)", evalFraction);
        check(batchSize >= 1, "--batch-size", ">= 1", batchSize);
        check(gradAccum >= 1, "--grad-accum", ">= 1", gradAccum);
        check(epochs >= 1 || maxSteps > 0, "--epochs", ">= 1 (or --max-steps > 0)", epochs);
        check(maxSteps >= 0, "--max-steps", ">= 0", maxSteps);
        check(learningRate > 0 && Double.isFinite(learningRate), "--lr", "a finite value > 0", learningRate);
        check(warmupRatio >= 0 && warmupRatio < 1, "--warmup-ratio", "a value in [0, 1)", warmupRatio);
        check(logEvery >= 1, "--log-every", ">= 1", logEvery);
        check(evalEvery >= 0, "--eval-every", ">= 0", evalEvery);
        check(saveEvery >= 0, "--save-every", ">= 0", saveEvery);
        check(threads >= 0, "--threads", ">= 0", threads);
        check(initAdapter == null || initFrom == null, "--init-adapter",
                "no --init-from beside it (both give the starting parameters)", "--init-from " + initFrom);
        check(saveTotalLimit >= 0, "--save-total-limit", ">= 0 (0 = keep all)", saveTotalLimit);
        if (referenceFrom != null && !loss.usesReference()) {
            throw new IllegalArgumentException("--reference-from: expected a loss that uses a reference model, found "
                    + "--loss " + loss.variant().id() + (loss.referenceFree() ? " with --reference-free" : ""));
        }
        if (saveBest) {
            check(evalData != null || evalFraction > 0, "--save-best",
                    "held-out pairs (--eval-data or --eval-fraction > 0)", "--eval-fraction " + evalFraction);
            check(saveEvery == 0 || (evalEvery > 0 && saveEvery % evalEvery == 0), "--save-best",
                    "--save-every a multiple of --eval-every, so every checkpoint has an eval loss",
                    "--save-every " + saveEvery + ", --eval-every " + evalEvery);
        }
    }

    private static void check(boolean ok, String option, String expected, Object found) {
        if (!ok) {
            throw new IllegalArgumentException(option + ": expected " + expected + ", found " + found);
        }
    }

    /**
     * @param artifacts artifact directory (tools/export/export.py output)
     * @param trainData training preference file
     * @return a builder with {@link TrainDefaults} for everything else
     */
    public static TrainConfigBuilder builder(Path artifacts, Path trainData) {
        return new TrainConfigBuilder(artifacts, trainData);
    }

    /** @return a builder holding this configuration's values, to derive a changed copy */
    public TrainConfigBuilder toBuilder() {
        return new TrainConfigBuilder(this);
    }

    /** @return the session configuration of this run */
    public io.dpo4j.runtime.SessionConfig sessionConfig() {
        return new io.dpo4j.runtime.SessionConfig(device, threads, deterministic, seed, tuning);
    }

    /** @return the optimizer steps of the whole run for {@code pairs} training pairs */
    public long totalSteps(int pairs) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        long microPerEpoch = Math.max(1, pairs / batchSize);
        return Math.max(1, epochs * microPerEpoch / gradAccum);
    }

    /**
     * @param initChecksum      SHA-256 of the {@link #initFrom} checkpoint's ORT file, or null without one
     * @param referenceChecksum SHA-256 of the {@link #referenceFrom} checkpoint's ORT file, or null without one;
     *                          a run with neither has the fingerprint it had before the two existed
     * @return a hash of the settings a resumed run must share with the run that wrote the checkpoint
     *     (data, artifacts, starting and reference weights, batch order, optimisation and loss; not logging or
     *     output paths)
     */
    public String fingerprint(String artifactChecksum, String dataChecksum, String initChecksum,
                              String referenceChecksum) {
        String s = String.join("|", artifactChecksum, dataChecksum, String.valueOf(evalFraction),
                DataPreparer.dataSettings(data),
                loss.toString(), String.valueOf(batchSize), String.valueOf(gradAccum), String.valueOf(epochs),
                String.valueOf(maxSteps), String.valueOf(learningRate), schedule.name(), String.valueOf(warmupRatio),
                String.valueOf(seed))
                + (initChecksum == null ? "" : "|init=" + initChecksum)
                + (referenceChecksum == null ? "" : "|reference=" + referenceChecksum);
        return io.dpo4j.util.Files2.sha256(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
