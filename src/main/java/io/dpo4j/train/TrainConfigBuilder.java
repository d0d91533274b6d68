package io.dpo4j.train;

import io.dpo4j.data.DataOptions;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.runtime.Device;
import io.dpo4j.runtime.SessionTuning;
import java.nio.file.Path;

/**
 * Builds a {@link TrainConfig} by name, starting from {@link TrainDefaults} (the command line's defaults); every
 * value is validated when {@link #build()} creates the record, and the message names the option.
 *
 * <pre>{@code
 * TrainConfig cfg = TrainConfig.builder(Path.of("artifacts/tiny-gpt2"), Path.of("prefs.jsonl"))
 *         .loss(LossConfig.defaults().withVariant(LossVariant.IPO)).batchSize(4).maxSteps(100).build();
 * }</pre>
 */
public final class TrainConfigBuilder {
    private Path artifacts, trainData, evalData, outputDir, cacheDir, resumeFrom, initFrom, referenceFrom, initAdapter;
    private double evalFraction = Double.parseDouble(TrainDefaults.EVAL_FRACTION);
    private DataOptions data = DataOptions.defaults();
    private LossConfig loss = LossConfig.defaults();
    private int batchSize = Integer.parseInt(TrainDefaults.BATCH_SIZE);
    private int gradAccum = Integer.parseInt(TrainDefaults.GRAD_ACCUM);
    private int epochs = Integer.parseInt(TrainDefaults.EPOCHS);
    private long maxSteps = Long.parseLong(TrainDefaults.MAX_STEPS);
    private double learningRate = Double.parseDouble(TrainDefaults.LEARNING_RATE);
    private LrSchedule.Kind schedule = LrSchedule.Kind.parse(TrainDefaults.SCHEDULE);
    private double warmupRatio = Double.parseDouble(TrainDefaults.WARMUP_RATIO);
    private long seed = Long.parseLong(TrainDefaults.SEED);
    private int logEvery = Integer.parseInt(TrainDefaults.LOG_EVERY);
    private int evalEvery = Integer.parseInt(TrainDefaults.EVAL_EVERY);
    private int saveEvery = Integer.parseInt(TrainDefaults.SAVE_EVERY);
    private int saveTotalLimit = Integer.parseInt(TrainDefaults.SAVE_TOTAL_LIMIT);
    private boolean saveBest = Boolean.parseBoolean(TrainDefaults.SAVE_BEST);
    private boolean saveOnlyModel = Boolean.parseBoolean(TrainDefaults.SAVE_ONLY_MODEL);
    private Device device = Device.CPU;
    private int threads;
    private boolean deterministic;
    private boolean progress = Boolean.parseBoolean(TrainDefaults.PROGRESS);
    private SessionTuning tuning = SessionTuning.defaults();

    TrainConfigBuilder(Path artifacts, Path trainData) {
        this.artifacts = artifacts;
        this.trainData = trainData;
        this.outputDir = Path.of(TrainDefaults.OUTPUT);
        this.cacheDir = Path.of(TrainDefaults.CACHE_DIR);
    }

    /** A builder holding every value of {@code c}. */
    TrainConfigBuilder(TrainConfig c) {
        this(c.artifacts(), c.trainData());
        evalData = c.evalData();
        evalFraction = c.evalFraction();
        data = c.data();
        loss = c.loss();
        batchSize = c.batchSize();
        gradAccum = c.gradAccum();
        epochs = c.epochs();
        maxSteps = c.maxSteps();
        learningRate = c.learningRate();
        schedule = c.schedule();
        warmupRatio = c.warmupRatio();
        seed = c.seed();
        logEvery = c.logEvery();
        evalEvery = c.evalEvery();
        saveEvery = c.saveEvery();
        outputDir = c.outputDir();
        cacheDir = c.cacheDir();
        resumeFrom = c.resumeFrom();
        device = c.device();
        threads = c.threads();
        deterministic = c.deterministic();
        progress = c.progress();
        saveTotalLimit = c.saveTotalLimit();
        saveBest = c.saveBest();
        saveOnlyModel = c.saveOnlyModel();
        tuning = c.tuning();
        initFrom = c.initFrom();
        referenceFrom = c.referenceFrom();
        initAdapter = c.initAdapter();
    }

    /** @param v artifact directory (tools/export/export.py output) */
    public TrainConfigBuilder artifacts(Path v) { artifacts = v; return this; }

    /** @param v training preference file */
    public TrainConfigBuilder trainData(Path v) { trainData = v; return this; }

    /** @param v held-out preference file, or null to hold out {@link #evalFraction} of the training file */
    public TrainConfigBuilder evalData(Path v) { evalData = v; return this; }

    /** @param v fraction held out when there is no held-out file, in [0, 1) */
    public TrainConfigBuilder evalFraction(double v) { evalFraction = v; return this; }

    /** @param v reading, field names, truncation and bad-row policy */
    public TrainConfigBuilder data(DataOptions v) { data = v; return this; }

    /** @param v loss variant and coefficients */
    public TrainConfigBuilder loss(LossConfig v) { loss = v; return this; }

    /**
     * iLR-DPO's target-length term on the loss set so far (call after {@link #loss}).
     *
     * @param target L, the target completion length in tokens (≥ 0)
     * @param lambda λ ≥ 0; 0 = off
     */
    public TrainConfigBuilder lengthTarget(double target, double lambda) {
        loss = loss.withLengthTarget(target, lambda);
        return this;
    }

    /** @param v pairs per micro-batch */
    public TrainConfigBuilder batchSize(int v) { batchSize = v; return this; }

    /** @param v micro-batches per optimizer step */
    public TrainConfigBuilder gradAccum(int v) { gradAccum = v; return this; }

    /** @param v passes over the training pairs (used when max steps is 0) */
    public TrainConfigBuilder epochs(int v) { epochs = v; return this; }

    /** @param v optimizer steps; 0 = derived from the epochs */
    public TrainConfigBuilder maxSteps(long v) { maxSteps = v; return this; }

    /** @param v peak learning rate */
    public TrainConfigBuilder learningRate(double v) { learningRate = v; return this; }

    /** @param v learning-rate shape after warmup */
    public TrainConfigBuilder schedule(LrSchedule.Kind v) { schedule = v; return this; }

    /** @param v fraction of the steps used for linear warmup, in [0, 1) */
    public TrainConfigBuilder warmupRatio(double v) { warmupRatio = v; return this; }

    /** @param v seed of the split and the batch order */
    public TrainConfigBuilder seed(long v) { seed = v; return this; }

    /** @param v optimizer steps between metric records */
    public TrainConfigBuilder logEvery(int v) { logEvery = v; return this; }

    /** @param v optimizer steps between evaluations; 0 = only at the end */
    public TrainConfigBuilder evalEvery(int v) { evalEvery = v; return this; }

    /** @param v optimizer steps between checkpoints; 0 = only at the end */
    public TrainConfigBuilder saveEvery(int v) { saveEvery = v; return this; }

    /** @param v checkpoints kept, newest first; 0 = all */
    public TrainConfigBuilder saveTotalLimit(int v) { saveTotalLimit = v; return this; }

    /** @param v also keep the checkpoint with the lowest eval loss */
    public TrainConfigBuilder saveBest(boolean v) { saveBest = v; return this; }

    /** @param v checkpoints without the optimizer state ({@code --save-only-model}) */
    public TrainConfigBuilder saveOnlyModel(boolean v) { saveOnlyModel = v; return this; }

    /** @param v run directory (metrics.jsonl, checkpoints/) */
    public TrainConfigBuilder outputDir(Path v) { outputDir = v; return this; }

    /** @param v reference log-prob cache directory */
    public TrainConfigBuilder cacheDir(Path v) { cacheDir = v; return this; }

    /** @param v checkpoint directory to resume from, or null */
    public TrainConfigBuilder resumeFrom(Path v) { resumeFrom = v; return this; }

    /** @param v cpu or cuda:N */
    public TrainConfigBuilder device(Device v) { device = v; return this; }

    /** @param v intra-op threads; 0 = ORT's default */
    public TrainConfigBuilder threads(int v) { threads = v; return this; }

    /** @param v ORT deterministic compute */
    public TrainConfigBuilder deterministic(boolean v) { deterministic = v; return this; }

    /** @param v progress bar on a terminal */
    public TrainConfigBuilder progress(boolean v) { progress = v; return this; }

    /** @param v ORT's CPU arena, memory pattern and spinning (memory and speed only, not results) */
    public TrainConfigBuilder tuning(SessionTuning v) { tuning = v; return this; }

    /** @param v checkpoint directory the policy's parameters start from (fresh optimizer), or null */
    public TrainConfigBuilder initFrom(Path v) { initFrom = v; return this; }

    /** @param v checkpoint directory whose parameters compute the reference log-probs, or null (starting weights) */
    public TrainConfigBuilder referenceFrom(Path v) { referenceFrom = v; return this; }

    /** @param v PEFT LoRA adapter directory to start the adapters from (LoRA artifacts only), or null */
    public TrainConfigBuilder initAdapter(Path v) { initAdapter = v; return this; }

    /** @return the validated configuration */
    public TrainConfig build() {
        return new TrainConfig(artifacts, trainData, evalData, evalFraction, data, loss, batchSize, gradAccum, epochs,
                maxSteps, learningRate, schedule, warmupRatio, seed, logEvery, evalEvery, saveEvery, outputDir,
                cacheDir, resumeFrom, device, threads, deterministic, progress, saveTotalLimit, saveBest, saveOnlyModel, tuning, initFrom,
                referenceFrom, initAdapter);
    }
}
