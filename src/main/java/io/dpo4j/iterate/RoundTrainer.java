package io.dpo4j.iterate;

import io.dpo4j.data.DataOptions;
import io.dpo4j.data.FieldNames;
import io.dpo4j.data.OnBadRow;
import io.dpo4j.train.DpoTrainer;
import io.dpo4j.train.RunResult;
import io.dpo4j.train.TrainConfig;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Trains one round: an ordinary DPO run on the round's {@code pairs.jsonl} into the round's {@code train/}
 * directory, its policy starting at the previous round's checkpoint ({@code --init-from}) and its reference log-probs
 * from the reference model the {@link ReferenceMode} picks ({@code --reference-from}). {@code dpo4j iterate} passes
 * the train options of its command line ({@code train --config <round>/train/config.yaml} replays the round's
 * training); {@link #from(TrainConfig)} does the same from a library configuration.
 */
@FunctionalInterface
public interface RoundTrainer {

    /**
     * What to train.
     *
     * @param round         the round (1-based)
     * @param pairs         the round's preference file (JSONL: prompt, chosen, rejected, id)
     * @param pairCount     how many pairs it holds (≥ 1); a micro-batch larger than that is cut to it
     * @param outputDir     the run directory of the training (metrics.jsonl, checkpoints/)
     * @param initFrom      the previous round's checkpoint, or null in round 1 (the artifacts' starting weights)
     * @param referenceFrom the reference checkpoint, or null for the artifacts' starting weights
     * @param seed          batch-order seed of the round
     * @param log           where the training's progress lines go
     */
    record Request(int round, Path pairs, int pairCount, Path outputDir, Path initFrom, Path referenceFrom, long seed,
                   PrintStream log) {
        /** @return {@code batchSize}, or the pair count when there are fewer pairs (train refuses a larger batch) */
        public int batchSize(int batchSize) {
            return Math.min(batchSize, pairCount);
        }
    }

    /**
     * What a round's training produced.
     *
     * @param checkpoint its final checkpoint directory
     * @param steps      optimizer steps run
     * @param lastLoss   the last step's training loss
     */
    record Trained(Path checkpoint, long steps, double lastLoss) {}

    /** Trains one round; its final checkpoint is the next policy. */
    Trained train(Request request);

    /**
     * @param template training settings (loss, optimisation, batching, data limits, runtime); its data files, output,
     *                 seed, resume, init and reference are replaced per round, its field names by the defaults
     *                 ({@code pairs.jsonl} uses them), no pairs are held out, and the batch is cut to the round's pairs
     *                 when they are fewer
     */
    static RoundTrainer from(TrainConfig template) {
        return req -> {
            DataOptions d = template.data();
            DataOptions data = new DataOptions(FieldNames.DEFAULTS, OnBadRow.FAIL, null, d.maxLength(),
                    d.maxPromptLength(), d.truncationMode(), d.limits());
            TrainConfig cfg = template.toBuilder().trainData(req.pairs()).evalData(null).evalFraction(0).data(data)
                    .outputDir(req.outputDir()).seed(req.seed()).resumeFrom(null).initFrom(req.initFrom())
                    .referenceFrom(req.referenceFrom()).saveBest(false).batchSize(req.batchSize(template.batchSize()))
                    .build();
            return trained(DpoTrainer.with(cfg).log(req.log()).fit());
        };
    }

    /** @return the round's result from a training run's */
    static Trained trained(RunResult r) {
        double last = r.stepLosses().isEmpty() ? Double.NaN : r.stepLosses().get(r.stepLosses().size() - 1);
        return new Trained(r.lastCheckpoint(), r.firstStep() - 1 + r.stepLosses().size(), last);
    }
}
