package io.dpo4j.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Callbacks of a training run ({@link DpoTrainer#listener}), called on the training thread in step order. Every
 * method has an empty default, so a listener implements only what it needs. A listener that throws stops the run
 * (what was checkpointed stays).
 */
public interface TrainListener {

    /**
     * Once, after the run directory is locked and the artifacts, data and resume checkpoint are validated, before
     * the reference pass and the first step (a run refused on its input never calls it).
     *
     * @param config the run's configuration
     */
    default void onStart(TrainConfig config) {}

    /**
     * After every optimizer step.
     *
     * @param step  optimizer steps done (1-based)
     * @param total optimizer steps of the whole run
     * @param loss  the step's mean loss over its micro-batches
     */
    default void onStep(long step, long total, double loss) {}

    /**
     * After a metrics record is written to metrics.jsonl.
     *
     * @param step    optimizer step of the record
     * @param prefix  {@code ""} for training records, {@code "eval_"} for evaluations
     * @param metrics TRL-named metrics without the prefix ({@code loss}, {@code rewards/margins}, ...)
     */
    default void onMetrics(long step, String prefix, Map<String, Double> metrics) {}

    /**
     * After a checkpoint directory is complete (renamed into place).
     *
     * @param step optimizer step of the checkpoint
     * @param dir  the checkpoint directory
     */
    default void onCheckpoint(long step, Path dir) {}
}
