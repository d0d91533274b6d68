package io.dpo4j.train;

/**
 * The defaults of a training run, one definition for the command line ({@code dpo4j train}'s option defaults) and
 * the library ({@link TrainConfig#builder}). Kept as text because picocli's defaults are annotation constants.
 */
public final class TrainDefaults {
    /** Fraction of the training file held out when there is no held-out file. */
    public static final String EVAL_FRACTION = "0.1";
    /** Pairs per micro-batch. */
    public static final String BATCH_SIZE = "8";
    /** Micro-batches per optimizer step. */
    public static final String GRAD_ACCUM = "1";
    /** Passes over the data. */
    public static final String EPOCHS = "3";
    /** Optimizer steps; 0 = from the epochs. */
    public static final String MAX_STEPS = "0";
    /** Peak learning rate. */
    public static final String LEARNING_RATE = "3e-3";
    /** Learning-rate shape after warmup. */
    public static final String SCHEDULE = "linear";
    /** Fraction of the steps used for warmup. */
    public static final String WARMUP_RATIO = "0.0";
    /** Split and batch-order seed. */
    public static final String SEED = "42";
    /** Steps between metric records. */
    public static final String LOG_EVERY = "10";
    /** Steps between evaluations; 0 = at the end only. */
    public static final String EVAL_EVERY = "0";
    /** Steps between checkpoints; 0 = at the end only. */
    public static final String SAVE_EVERY = "0";
    /** Checkpoints kept; 0 = all. */
    public static final String SAVE_TOTAL_LIMIT = "0";
    /** Keep the best checkpoint by eval loss too. */
    public static final String SAVE_BEST = "false";
    /** --save-only-model: checkpoints without the optimizer state (HF TrainingArguments' save_only_model). */
    public static final String SAVE_ONLY_MODEL = "false";
    /** Run directory. */
    public static final String OUTPUT = "runs/dpo";
    /** Reference log-prob cache directory. */
    public static final String CACHE_DIR = ".dpo4j-cache";
    /** Progress bar on a terminal. */
    public static final String PROGRESS = "true";

    private TrainDefaults() {}
}
