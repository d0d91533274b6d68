package io.dpo4j.bench;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.data.Batch;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.train.GraphFeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times full optimizer steps (train step + AdamW step) on a synthetic, seeded batch of fixed shape: B pairs of
 * length T (first half prompt, second half completion). Reports pairs/s, tokens/s and the process's peak resident
 * memory (VmHWM: JVM heap plus native ORT memory).
 */
public final class TrainBenchmark {
    /**
     * Benchmark settings.
     *
     * @param artifacts artifact directory
     * @param pairs     pairs per step B
     * @param seqLen    sequence length T
     * @param warmup    untimed steps
     * @param steps     timed steps
     */
    public record Settings(Path artifacts, int pairs, int seqLen, int warmup, int steps) {
        /** Validates sizes. */
        public Settings {
            if (pairs < 1 || seqLen < 4 || warmup < 0 || steps < 1) {
                throw new IllegalArgumentException("bench: expected batch >= 1, seq-len >= 4, warmup >= 0, steps >= 1; "
                        + "found " + pairs + ", " + seqLen + ", " + warmup + ", " + steps);
            }
        }
    }

    /**
     * Result of one benchmark.
     *
     * @param pairsPerSecond  pairs per second over the timed steps
     * @param tokensPerSecond tokens (2·B·T per step) per second
     * @param peakRssMiB      peak resident set size of the process in MiB (-1 where /proc is unavailable)
     * @param secondsPerStep  mean wall time per optimizer step
     */
    public record Result(double pairsPerSecond, double tokensPerSecond, double peakRssMiB, double secondsPerStep) {}

    private TrainBenchmark() {}

    /** Runs the benchmark. */
    public static Result run(Settings st, SessionConfig sc) {
        ArtifactSet art = ArtifactSet.load(st.artifacts());
        int maxPos = art.manifest().maxPositions();
        if (st.seqLen() > maxPos) {
            throw new IllegalArgumentException("--seq-len " + st.seqLen() + " exceeds the model's max_positions " + maxPos);
        }
        Batch batch = syntheticBatch(st.pairs(), st.seqLen(), art.manifest().vocabSize());
        float[] zeros = new float[st.pairs()];
        float[] ones = new float[st.pairs()];
        Arrays.fill(ones, 1f);
        LossInputs li = LossInputs.of(LossConfig.defaults(), zeros, zeros, ones, ones, 1f);
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-bench");
             TrainingSession s = TrainingSession.open(env, sc, art.file("checkpoint"), art.file("training_model.onnx"),
                     null, art.file("optimizer_model.onnx"))) {
            s.setLearningRate(1e-5f);
            List<Tensor> feeds = GraphFeeds.forTraining(s.trainingInputNames(), batch, li);
            try {
                for (int i = 0; i < st.warmup(); i++) {
                    step(s, feeds);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < st.steps(); i++) {
                    step(s, feeds);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                double pairs = (double) st.pairs() * st.steps();
                return new Result(pairs / secs, pairs * 2 * st.seqLen() / secs, peakRssMiB(), secs / st.steps());
            } finally {
                feeds.forEach(Tensor::close);
            }
        }
    }

    private static void step(TrainingSession s, List<Tensor> feeds) {
        s.trainStep(feeds).forEach(Tensor::close);
        s.optimizerStep();
        s.lazyResetGrad();
    }

    /**
     * @return B pairs of random tokens, prompt = first half, completion = second half (N, T); a pair's two rows share
     *     their prompt, as in real preference data (and in tools/bench/bench_trl.py)
     */
    static Batch syntheticBatch(int pairs, int seqLen, int vocab) {
        int n = 2 * pairs;
        long[] ids = new long[n * seqLen], attn = new long[n * seqLen], comp = new long[n * seqLen]; // (N, T)
        SplittableRandom rnd = new SplittableRandom(1234);
        for (int r = 0; r < n; r++) {
            for (int t = 0; t < seqLen; t++) {
                boolean rejectedPrompt = r >= pairs && t < seqLen / 2;
                ids[r * seqLen + t] = rejectedPrompt ? ids[(r - pairs) * seqLen + t] : rnd.nextInt(vocab);
                attn[r * seqLen + t] = 1;
                comp[r * seqLen + t] = t >= seqLen / 2 ? 1 : 0;
            }
        }
        return new Batch(pairs, seqLen, ids, attn, comp);
    }

    /** @return VmHWM of this process in MiB, or -1 when /proc/self/status is unavailable */
    public static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
