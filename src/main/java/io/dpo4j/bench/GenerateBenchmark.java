package io.dpo4j.bench;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.generate.Generator;
import io.dpo4j.generate.KvCacheGenerator;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.generate.TokenGenerator;
import io.dpo4j.runtime.Device;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Greedy generation speed of the KV-cache path vs the no-cache path in one warm JVM: one prompt of {@code P} seeded
 * ids, {@code new} tokens with EOS off, one untimed warm-up run per path, then {@code repeats} timed runs alternating
 * the two paths; prints the best and median tokens/s of each and the ratio of the medians.
 *
 * <pre>java -cp target/dpo4j-*.jar io.dpo4j.bench.GenerateBenchmark ARTIFACTS [NEW=128] [REPEATS=5] [THREADS=0]
 * [PROMPT_LEN=17]</pre>
 */
public final class GenerateBenchmark {
    private GenerateBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args artifact directory, then optionally new tokens, repeats, intra-op threads (0 = ORT's default) and
     *             prompt length
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: GenerateBenchmark ARTIFACTS [NEW] [REPEATS] [THREADS] "
                    + "[PROMPT_LEN]; found no arguments");
        }
        Path dir = Path.of(args[0]);
        int newTokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int promptLen = args.length > 4 ? Integer.parseInt(args[4]) : 17;
        ArtifactSet art = ArtifactSet.load(dir);
        int maxPositions = art.manifest().maxPositions();
        int[] cache = KvCacheGenerator.cacheShape(art.manifest());
        long[] prompt = new java.util.SplittableRandom(1).longs(promptLen, 0, art.manifest().vocabSize()).toArray();
        SamplingConfig greedy = SamplingConfig.greedy(newTokens);
        SessionConfig cfg = new SessionConfig(Device.parse("cpu"), threads, true, 0);
        try (OrtEnvironment env = OrtEnvironment.create("generate-bench");
             InferenceSession kvSession = InferenceSession.open(env, cfg, art.file(KvCacheGenerator.GRAPH));
             InferenceSession fullSession = InferenceSession.open(env, cfg, art.file("inference_model.onnx"))) {
            TokenGenerator[] gens = {new KvCacheGenerator(kvSession, cache[0], cache[1], -1, maxPositions),
                new Generator(fullSession, -1, maxPositions)};
            double[][] rates = new double[2][repeats];
            long[][] outputs = new long[2][];
            for (int g = 0; g < 2; g++) {
                gens[g].generate(prompt, SamplingConfig.greedy(Math.min(8, newTokens))); // warm-up
            }
            for (int r = 0; r < repeats; r++) {
                for (int g = 0; g < 2; g++) {
                    long start = System.nanoTime();
                    outputs[g] = gens[g].generate(prompt, greedy);
                    rates[g][r] = outputs[g].length / ((System.nanoTime() - start) / 1e9);
                }
            }
            double[] median = new double[2];
            for (int g = 0; g < 2; g++) {
                double[] sorted = rates[g].clone();
                Arrays.sort(sorted);
                median[g] = sorted[repeats / 2];
                System.out.printf(Locale.ROOT, "%-9s %d tokens: best %.1f tokens/s, median %.1f tokens/s%n",
                        gens[g].method(), outputs[g].length, sorted[repeats - 1], median[g]);
            }
            System.out.printf(Locale.ROOT, "KV cache / no cache (medians): %.1fx; same tokens: %b%n",
                    median[0] / median[1], Arrays.equals(outputs[0], outputs[1]));
        }
    }
}
