package io.dpo4j.train;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.GraphContract;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.data.Batch;
import io.dpo4j.data.Collator;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.dpo.DpoMetrics;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.hf.PeftAdapter;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DPO loop: validate artifacts and data, run (or load) the reference pass, then for every optimizer step feed
 * {@code gradAccum} micro-batches to the training graph, step the optimizer at the scheduled learning rate, and log,
 * evaluate and checkpoint on schedule. Everything that decides a step's numbers is a function of the configuration
 * and the step, so equal seeds give equal bits and a resume continues the uninterrupted run exactly.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final PrintStream log;
    private final List<TrainListener> listeners;

    /** @param cfg run configuration; @param log where progress lines go (stderr in the CLI) */
    public Trainer(TrainConfig cfg, PrintStream log) {
        this(cfg, log, List.of());
    }

    /** @param listeners called after every step, metrics record and checkpoint ({@link DpoTrainer}) */
    Trainer(TrainConfig cfg, PrintStream log, List<TrainListener> listeners) {
        this.cfg = cfg;
        this.log = log;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Runs training to {@link TrainConfig#totalSteps}. Fails before any training on invalid input: first the output
     * paths ({@link RunPreflight}), then the run directory is locked ({@link RunLock}, held until the run ends) and
     * cleared of a killed run's temporaries ({@link LeftoverSweeper}), then artifacts and data are validated.
     */
    public RunResult run() {
        RunPreflight.check(cfg);
        try (RunLock lock = RunLock.acquire(cfg.outputDir())) {
            for (Path p : LeftoverSweeper.sweep(cfg.outputDir(), cfg.cacheDir(), java.time.Instant.now())) {
                log.println("removed leftover temporary " + p);
            }
            return runLocked();
        }
    }

    private RunResult runLocked() {
        long verifying = System.nanoTime();
        ArtifactSet art = ArtifactSet.load(cfg.artifacts(), sums());
        log.println(art.hashes().summary((System.nanoTime() - verifying) / 1e9));
        requireVariant(art);
        if (!cfg.saveOnlyModel()) {
            OrtCheckpointLimit.resumableProblem(art.manifest()).ifPresent(why -> {
                throw new IllegalArgumentException(cfg.artifacts() + ": " + why);
            });
        }
        GraphFeeds.requireLossInputs(art, cfg.loss());
        PreparedData data = DataPreparer.prepare(cfg, art);
        log.println(data.summary());
        BatchPlan plan = new BatchPlan(data.train().size(), cfg.batchSize(), cfg.seed(), true); // fails before loading
        TrainerState resume = cfg.resumeFrom() == null ? null : CheckpointStore.load(cfg.resumeFrom(), sums());
        if (resume != null && !resume.resumable()) {
            throw new IllegalArgumentException("--resume " + cfg.resumeFrom() + ": expected a checkpoint with the "
                    + "optimizer state (AdamW moments and step), found one saved with --save-only-model (parameters "
                    + "only); start a new run from its weights with --init-from " + cfg.resumeFrom());
        }
        PeftAdapter.Imported adapter = initAdapter(art);
        TrainerState initState = cfg.initFrom() == null ? null : checkpointState("--init-from", cfg.initFrom());
        String initSum = initState != null ? ortChecksum(initState, cfg.initFrom())
                : adapter != null ? "init-adapter:" + adapter.sha256() : null;
        String refSum = cfg.referenceFrom() == null ? null : ortChecksum("--reference-from", cfg.referenceFrom());
        String fingerprint = cfg.fingerprint(art.checksum("checkpoint") + art.checksum("training_model.onnx"),
                data.dataChecksum(), initSum, refSum);
        if (resume != null && !resume.configFingerprint().equals(fingerprint)) {
            throw new IllegalArgumentException("--resume " + cfg.resumeFrom() + ": the checkpoint was written with other "
                    + "artifacts, data or training settings (fingerprint " + resume.configFingerprint() + ", this run "
                    + fingerprint + "); resume with the original settings");
        }
        for (TrainListener l : listeners) {
            l.onStart(cfg); // input validated, nothing computed yet
        }
        SessionConfig sc = cfg.sessionConfig();
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j")) {
            float[][][] ref = reference(env, sc, art, data, refSum);
            // a parameters-only --init-from checkpoint is opened directly: its optimizer state is fresh already, and no
            // copy of the parameters is held beside the session (what lets a 1B model continue on a 24 GB machine)
            boolean openInit = resume == null && initState != null && !initState.resumable();
            Path start = resume != null ? cfg.resumeFrom().resolve(CheckpointStore.ORT_FILE)
                    : openInit ? cfg.initFrom().resolve(CheckpointStore.ORT_FILE) : art.file("checkpoint");
            float[] init = resume == null && initState != null && !openInit
                    ? CheckpointWeights.trainable(env, sc, art, cfg.initFrom().resolve(CheckpointStore.ORT_FILE))
                    : null; // read before the run's session opens, so two sessions are never held at once
            long opening = System.nanoTime();
            try (TrainingSession s = CheckpointStore.openSession(env, sc, art, start)) {
                log.println(String.format(Locale.ROOT, "training session open in %.1f s (%s: %s%s)",
                        (System.nanoTime() - opening) / 1e9, start.getFileName(), s.openTimings(),
                        GraphContract.sharedPrompt(s.trainingInputNames()) ? "; shared-prompt graphs: each pair's "
                                + "prompt runs once" : ""));
                GraphContract.requireNames("training session inputs",
                        GraphContract.trainInputs(s.trainingInputNames()), s.trainingInputNames());
                if (openInit) {
                    log.println("policy parameters from " + cfg.initFrom() + " (parameters-only checkpoint, opened "
                            + "directly; optimizer state fresh)");
                } else if (init != null) {
                    s.copyParametersFromArray(init, true); // the policy of --init-from, optimizer state fresh
                    log.println("policy parameters from " + cfg.initFrom() + " (optimizer state fresh)");
                } else if (adapter != null && resume == null) {
                    adapter.values().forEach(s::setParameter);
                    log.println("adapters from " + cfg.initAdapter());
                }
                return new Loop(s, art, data, plan, ref[0], ref[1], resume, fingerprint).run();
            }
        }
    }

    /** The adapter of {@code --init-adapter}, read and checked against the LoRA artifacts; null without the option. */
    private PeftAdapter.Imported initAdapter(ArtifactSet art) {
        if (cfg.initAdapter() == null) {
            return null;
        }
        LoraSection lora = art.manifest().lora();
        if (lora == null) {
            throw new IllegalArgumentException("--init-adapter " + cfg.initAdapter() + ": expected LoRA artifacts "
                    + "(exported with tools/export/export.py --lora-r), found " + art.dir() + ", which trains every weight");
        }
        PeftAdapter.Imported init = PeftAdapter.read(cfg.initAdapter(), lora, "--init-adapter");
        init.notes().forEach(n -> log.println("note: " + n));
        return init;
    }

    private void requireVariant(ArtifactSet art) {
        String v = cfg.loss().variant().id();
        if (!art.manifest().lossVariants().contains(v)) {
            throw new IllegalArgumentException("--loss " + v + ": the artifacts in " + art.dir() + " support only "
                    + art.manifest().lossVariants());
        }
    }

    /** @return {@code [train, eval]} reference log-probs, each {@code [chosen (P), rejected (P)]} */
    private float[][][] reference(OrtEnvironment env, SessionConfig sc, ArtifactSet art, PreparedData data,
                                  String refChecksum) {
        if (!cfg.loss().usesReference()) {
            return new float[][][] {new float[2][data.train().size()], new float[2][data.eval().size()]};
        }
        return ReferencePass.forData(env, sc, art, data, cfg.cacheDir(), cfg.batchSize() * 2, log,
                cfg.referenceFrom(), refChecksum);
    }

    /** Verifies a checkpoint given as input and returns the SHA-256 of its ORT file. */
    private String ortChecksum(String option, Path dir) {
        return ortChecksum(checkpointState(option, dir), dir);
    }

    private static String ortChecksum(TrainerState st, Path dir) {
        return st.checkpointSha256() != null ? st.checkpointSha256()
                : io.dpo4j.util.Files2.sha256(dir.resolve(CheckpointStore.ORT_FILE));
    }

    /** SHA-256 sums of large unchanged files, remembered under {@code --cache-dir} ({@link HashCache}). */
    private HashCache sums() {
        return HashCache.in(cfg.cacheDir());
    }

    /** The verified state of the checkpoint an option names; its problems are reported under the option. */
    private TrainerState checkpointState(String option, Path dir) {
        try {
            return CheckpointStore.load(dir, sums());
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(option + " " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One run of the loop over an open session. */
    private final class Loop {
        private final TrainingSession s;
        private final ArtifactSet art;
        private final PreparedData data;
        private final float[][] refTrain, refEval;
        private final String fingerprint;
        private final BatchPlan plan;
        private final long total;
        private final LrSchedule schedule;
        private final CheckpointStore store;
        private final CheckpointRetention retention;
        private final int pad;
        private final WeightDecay decay;
        private long step, micro;
        private long evalStep = -1;
        private Double evalLoss;

        Loop(TrainingSession s, ArtifactSet art, PreparedData data, BatchPlan plan, float[][] refTrain,
             float[][] refEval, TrainerState resume, String fingerprint) {
            this.s = s;
            this.art = art;
            this.data = data;
            this.refTrain = refTrain;
            this.refEval = refEval;
            this.fingerprint = fingerprint;
            this.plan = plan;
            this.total = cfg.totalSteps(data.train().size());
            this.schedule = new LrSchedule(cfg.schedule(), cfg.learningRate(), Math.round(cfg.warmupRatio() * total), total);
            this.store = new CheckpointStore(cfg.outputDir());
            this.retention = new CheckpointRetention(cfg.saveTotalLimit(), cfg.saveBest(),
                    java.util.Arrays.asList(cfg.resumeFrom(), cfg.trainData(), cfg.evalData(), cfg.initFrom(),
                            cfg.referenceFrom()));
            this.pad = art.manifest().specialTokens().pad();
            this.decay = WeightDecay.of(art.manifest().optimizer());
            this.step = resume == null ? 0 : resume.step();
            this.micro = resume == null ? 0 : resume.microBatches();
        }

        RunResult run() {
            long firstStep = step + 1;
            List<Double> losses = new ArrayList<>();
            Map<String, Double> lastEval = Map.of();
            Path lastCkpt = null;
            long t0 = System.nanoTime();
            Path metricsFile = cfg.outputDir().resolve(RunPreflight.METRICS_FILE);
            if (step > 0) {
                MetricsPurge.Result purge = MetricsPurge.purgeAfter(metricsFile, step);
                if (purge.changed()) {
                    log.printf("%s: kept %d records up to step %d, dropped %d after it, %d unreadable%s%n",
                            metricsFile, purge.kept(), step, purge.later(), purge.unreadable(),
                            purge.torn() ? " and a torn last line" : "");
                }
            }
            try (MetricsLog metrics = new MetricsLog(metricsFile, step > 0);
                 Progress progress = Progress.create(cfg.progress(), "train", total, step)) {
                Window window = new Window();
                while (step < total) {
                    double lr = schedule.at(step);
                    double loss = optimizerStep(lr, window);
                    losses.add(loss);
                    step++;
                    progress.step(String.format("loss %.4f", loss));
                    for (TrainListener l : listeners) {
                        l.onStep(step, total, loss);
                    }
                    if (step % cfg.logEvery() == 0 || step == total) {
                        record(metrics, "", window.drain(lr));
                    }
                    if (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0 && step < total) {
                        lastEval = evaluate(metrics);
                    }
                    if (cfg.saveEvery() > 0 && step % cfg.saveEvery() == 0 && step < total) {
                        lastCkpt = save();
                    }
                }
                if (!data.eval().isEmpty()) {
                    lastEval = evaluate(metrics);
                }
            }
            lastCkpt = save(); // after the final evaluation, so the last checkpoint carries its eval loss
            return new RunResult(losses, firstStep, lastEval, lastCkpt, (System.nanoTime() - t0) / 1e9);
        }

        /** Saves a checkpoint (with the eval loss when this step was evaluated), then applies the retention. */
        private Path save() {
            if (cfg.resumeFrom() != null && io.dpo4j.util.OutputGuard.sameFile(store.dirOf(step), cfg.resumeFrom())) {
                return cfg.resumeFrom(); // nothing trained since: never rewrite the checkpoint given as input
            }
            Path dir = store.save(s, new TrainerState(step, micro, fingerprint, null, evalStep == step ? evalLoss : null),
                    !cfg.saveOnlyModel());
            for (TrainListener l : listeners) {
                l.onCheckpoint(step, dir);
            }
            for (Path old : retention.apply(store)) {
                log.println("removed checkpoint " + old + " (--save-total-limit " + cfg.saveTotalLimit() + ")");
            }
            return dir;
        }

        /** Feeds gradAccum micro-batches, steps the optimizer; returns the step's mean loss. */
        private double optimizerStep(double lr, Window window) {
            s.setLearningRate((float) lr);
            double loss = 0;
            for (int a = 0; a < cfg.gradAccum(); a++) {
                int[] idx = plan.batch(micro++);
                List<TokenizedPair> chunk = Evaluator.select(data.train(), idx);
                Batch batch = Collator.collate(chunk, pad);
                LossInputs in = Evaluator.lossInputs(cfg.loss(), chunk, idx, refTrain, 1f / cfg.gradAccum());
                List<Tensor> feeds = GraphFeeds.forTraining(s.trainingInputNames(), batch, in);
                StepOutputs out;
                try {
                    out = StepOutputs.run(s, feeds, batch.pairs(), true);
                } finally {
                    feeds.forEach(Tensor::close);
                }
                double unscaled = (double) out.loss() * cfg.gradAccum();
                if (!Double.isFinite(unscaled)) {
                    throw new IllegalStateException("non-finite loss " + unscaled + " at step " + (step + 1)
                            + " (micro-batch " + micro + ", pairs " + java.util.Arrays.toString(idx) + ")");
                }
                window.add(unscaled, out, in, batch);
                loss += unscaled / cfg.gradAccum();
            }
            decay.apply(s, lr);
            s.optimizerStep();
            s.lazyResetGrad();
            return loss;
        }

        private Map<String, Double> evaluate(MetricsLog metrics) {
            Map<String, Double> m = Evaluator.evaluate(s, cfg.loss(), data.eval(), refEval, cfg.batchSize(), pad,
                    art.manifest().vocabSize());
            record(metrics, "eval_", m);
            evalStep = step;
            evalLoss = m.get("loss");
            log.printf("step %d eval: loss %.4f rewards/accuracies %.3f rewards/margins %.4f%n", step,
                    m.get("loss"), m.get("rewards/accuracies"), m.get("rewards/margins"));
            return m;
        }

        private void record(MetricsLog metrics, String prefix, Map<String, Double> m) {
            metrics.write(step, epoch(), prefix, m);
            for (TrainListener l : listeners) {
                l.onMetrics(step, prefix, m);
            }
        }

        private double epoch() {
            return (double) micro / plan.batchesPerEpoch();
        }

        /** Metrics accumulated since the last log record, with throughput. */
        private final class Window {
            private DpoMetrics m = new DpoMetrics(cfg.loss(), art.manifest().vocabSize());
            private long pairs, tokens, t0 = System.nanoTime();

            void add(double loss, StepOutputs out, LossInputs in, Batch batch) {
                m.add(loss, out.logps(), in.refLogps(), out.tokenCounts(), out.logitsSum());
                pairs += batch.pairs();
                tokens += GraphFeeds.realTokens(batch);
            }

            Map<String, Double> drain(double lr) {
                double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
                Map<String, Double> out = new LinkedHashMap<>(m.summary());
                out.put("learning_rate", lr);
                out.put("pairs/s", pairs / secs);
                out.put("tokens/s", tokens / secs);
                m = new DpoMetrics(cfg.loss(), art.manifest().vocabSize());
                pairs = 0;
                tokens = 0;
                t0 = System.nanoTime();
                return out;
            }
        }
    }
}
