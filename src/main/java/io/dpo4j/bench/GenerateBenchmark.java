package io.dpo4j.bench;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.generate.Generator;
import io.dpo4j.generate.KvCacheGenerator;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.generate.StopStrings;
import io.dpo4j.generate.TokenGenerator;
import io.dpo4j.runtime.Device;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Greedy generation speed of the KV-cache path vs the no-cache path in one warm JVM: {@code BATCH} prompts of seeded
 * ids (prompt {@code i} has {@code max(1, PROMPT_LEN - 2i)} tokens, so a batch has different lengths), {@code new}
 * tokens each with EOS off, one untimed warm-up run per path, then {@code repeats} timed runs alternating the two paths;
 * prints the best and median tokens/s (all prompts' generated tokens over the wall time of one call) of each, the ratio
 * of the medians, and whether both paths produced the same tokens for every prompt. Each path runs a batch as the
 * generators do: the KV-cache path left-pads the prompts into one batch, the no-cache path runs them one after another.
 *
 * <pre>java -cp target/dpo4j-*.jar io.dpo4j.bench.GenerateBenchmark ARTIFACTS [NEW=128] [REPEATS=5] [THREADS=0]
 * [PROMPT_LEN=17] [BATCH=1]</pre>
 */
public final class GenerateBenchmark {
    private GenerateBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args artifact directory, then optionally new tokens, repeats, intra-op threads (0 = ORT's default) and
     *             prompt length and batch size (prompts per call)
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: GenerateBenchmark ARTIFACTS [NEW] [REPEATS] [THREADS] "
                    + "[PROMPT_LEN] [BATCH]; found no arguments");
        }
        Path dir = Path.of(args[0]);
        int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int promptLen = args.length > 4 ? Integer.parseInt(args[4]) : 17;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        if (batch < 1) {
            throw new IllegalArgumentException("BATCH: expected >= 1, found " + batch);
        }
        ArtifactSet art = ArtifactSet.load(dir);
        int maxPositions = art.manifest().maxPositions();
        int[] cache = KvCacheGenerator.cacheShape(art.manifest());
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        List<long[]> prompts = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            prompts.add(rng.longs(Math.max(1, promptLen - 2 * i), 0, art.manifest().vocabSize()).toArray());
        }
        SamplingConfig greedy = SamplingConfig.greedy(newTokens);
        SessionConfig cfg = new SessionConfig(Device.parse("cpu"), threads, true, 0);
        try (OrtEnvironment env = OrtEnvironment.create("generate-bench");
             InferenceSession kvSession = InferenceSession.open(env, cfg, art.file(KvCacheGenerator.GRAPH));
             InferenceSession fullSession = InferenceSession.open(env, cfg, art.file("inference_model.onnx"))) {
            TokenGenerator[] gens = {new KvCacheGenerator(kvSession, cache[0], cache[1], -1, maxPositions),
                new Generator(fullSession, -1, maxPositions)};
            double[][] rates = new double[2][repeats];
            List<List<long[]>> outputs = new ArrayList<>(List.of(List.of(), List.of()));
            for (int g = 0; g < 2; g++) {
                gens[g].generate(prompts, SamplingConfig.greedy(Math.min(8, newTokens)), StopStrings.NONE); // warm-up
            }
            for (int r = 0; r < repeats; r++) {
                for (int g = 0; g < 2; g++) {
                    long start = System.nanoTime();
                    outputs.set(g, gens[g].generate(prompts, greedy, StopStrings.NONE));
                    long tokens = outputs.get(g).stream().mapToLong(o -> o.length).sum();
                    rates[g][r] = tokens / ((System.nanoTime() - start) / 1e9);
                }
            }
            double[] median = new double[2];
            for (int g = 0; g < 2; g++) {
                double[] sorted = rates[g].clone();
                Arrays.sort(sorted);
                median[g] = sorted[repeats / 2];
                System.out.printf(Locale.ROOT, "%-9s %d prompts x %d tokens: best %.1f tokens/s, median %.1f tokens/s%n",
                        gens[g].method(), batch, newTokens, sorted[repeats - 1], median[g]);
            }
            boolean same = true;
            for (int i = 0; i < batch; i++) {
                same &= Arrays.equals(outputs.get(0).get(i), outputs.get(1).get(i));
            }
            System.out.printf(Locale.ROOT, "KV cache / no cache (medians): %.1fx; same tokens: %b%n",
                    median[0] / median[1], same);
        }
    }
}
