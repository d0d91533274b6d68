package io.dpo4j.cli;

import io.dpo4j.train.LrSchedule;
import io.dpo4j.train.TrainConfigBuilder;
import io.dpo4j.train.TrainDefaults;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of a training run that are not about its files: loss, batching, optimisation, data reading and
 * tokenization, logging, evaluation and checkpoint cadence, progress and runtime. {@code dpo4j train} declares them
 * with its file options; {@code dpo4j iterate} passes them to the training run of every round.
 */
final class TrainOptions {
    @Mixin
    LossOptions loss;

    @Option(names = "--batch-size", defaultValue = TrainDefaults.BATCH_SIZE, description = "Pairs per micro-batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--grad-accum", defaultValue = TrainDefaults.GRAD_ACCUM,
            description = "Micro-batches per optimizer step. Default: ${DEFAULT-VALUE}.")
    int gradAccum;

    @Option(names = "--epochs", defaultValue = TrainDefaults.EPOCHS, description = "Passes over the data. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--max-steps", defaultValue = TrainDefaults.MAX_STEPS,
            description = "Optimizer steps (overrides --epochs when > 0). Default: ${DEFAULT-VALUE}.")
    long maxSteps;

    @Option(names = "--lr", defaultValue = TrainDefaults.LEARNING_RATE, description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--lr-schedule", defaultValue = TrainDefaults.SCHEDULE,
            description = "constant, linear or cosine (after warmup). Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--warmup-ratio", defaultValue = TrainDefaults.WARMUP_RATIO,
            description = "Fraction of steps for linear warmup. Default: ${DEFAULT-VALUE}.")
    double warmupRatio;

    @Mixin
    DataOptionsMixin dataOptions;

    @Option(names = "--log-every", defaultValue = TrainDefaults.LOG_EVERY, description = "Steps between metric records. Default: ${DEFAULT-VALUE}.")
    int logEvery;

    @Option(names = "--eval-every", defaultValue = TrainDefaults.EVAL_EVERY,
            description = "Steps between evaluations; 0 = at the end only. Default: ${DEFAULT-VALUE}.")
    int evalEvery;

    @Option(names = "--save-every", defaultValue = TrainDefaults.SAVE_EVERY,
            description = "Steps between checkpoints; 0 = at the end only. Default: ${DEFAULT-VALUE}.")
    int saveEvery;

    @Option(names = "--save-total-limit", defaultValue = TrainDefaults.SAVE_TOTAL_LIMIT,
            description = "Checkpoints kept under --output, newest first (TRL's save_total_limit); older ones are "
                    + "deleted after each save; 0 = keep all. Default: ${DEFAULT-VALUE}.")
    int saveTotalLimit;

    @Option(names = "--save-best", defaultValue = TrainDefaults.SAVE_BEST,
            description = "Also keep the checkpoint with the lowest eval_loss beyond --save-total-limit (TRL's "
                    + "load_best_model_at_end with metric_for_best_model=eval_loss); needs held-out pairs and "
                    + "--save-every a multiple of --eval-every. Default: ${DEFAULT-VALUE}.")
    boolean saveBest;

    @Option(names = "--save-only-model", defaultValue = TrainDefaults.SAVE_ONLY_MODEL,
            description = "Checkpoints hold the model parameters only, not the AdamW moments and step (HF's "
                    + "save_only_model): a third of the bytes of full training, and ONNX Runtime writes them without "
                    + "holding another copy of the moments in memory. Required for full-parameter models above about "
                    + "173M parameters, whose moments ORT cannot write (its checkpoint buffer is limited to 2 GiB; "
                    + "train says so before it starts). Such a checkpoint cannot be --resume'd, only used by "
                    + "--init-from, generate, export-hf, export-inference. Default: ${DEFAULT-VALUE}.")
    boolean saveOnlyModel;

    @Option(names = "--progress", defaultValue = TrainDefaults.PROGRESS, negatable = true, fallbackValue = "true",
            description = "Progress bar with ETA on a terminal. Default: ${DEFAULT-VALUE}.")
    boolean progress;

    @Mixin
    RuntimeOptions runtime;

    /** Sets every value of these options on {@code b}. */
    TrainConfigBuilder applyTo(TrainConfigBuilder b) {
        return b.data(dataOptions.toOptions()).loss(loss.toConfig()).batchSize(batchSize).gradAccum(gradAccum)
                .epochs(epochs).maxSteps(maxSteps).learningRate(lr).schedule(LrSchedule.Kind.parse(schedule))
                .warmupRatio(warmupRatio).logEvery(logEvery).evalEvery(evalEvery).saveEvery(saveEvery)
                .saveTotalLimit(saveTotalLimit).saveBest(saveBest).saveOnlyModel(saveOnlyModel).device(runtime.parsedDevice())
                .threads(runtime.threads).deterministic(runtime.deterministic).progress(progress)
                .tuning(runtime.tuning());
    }
}
