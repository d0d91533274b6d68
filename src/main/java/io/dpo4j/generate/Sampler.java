package io.dpo4j.generate;

import java.util.SplittableRandom;

/** Picks the next token from one row of logits: a pure function of the logits, the settings and the random stream. */
final class Sampler {
    private Sampler() {}

    /**
     * @param logits  logits of all positions, row-major  (T, V)
     * @param offset  start of the row to sample from
     * @param vocab   V
     * @param cfg     sampling settings
     * @param random  random stream (unused when greedy)
     * @return the chosen token id
     */
    static int next(float[] logits, int offset, int vocab, SamplingConfig cfg, SplittableRandom random) {
        if (cfg.temperature() == 0) {
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[offset + v] > logits[offset + best]) {
                    best = v;
                }
            }
            return best;
        }
        float cutoff = cfg.topK() > 0 && cfg.topK() < vocab ? kthLargest(logits, offset, vocab, cfg.topK())
                : Float.NEGATIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double[] p = new double[vocab]; // (V)
        double z = 0;
        for (int v = 0; v < vocab; v++) {
            float l = logits[offset + v];
            p[v] = l >= cutoff ? Math.exp((l - max) / cfg.temperature()) : 0;
            z += p[v];
        }
        double u = random.nextDouble() * z;
        for (int v = 0; v < vocab; v++) {
            u -= p[v];
            if (u < 0) {
                return v;
            }
        }
        return vocab - 1;
    }

    private static float kthLargest(float[] logits, int offset, int vocab, int k) {
        float[] row = java.util.Arrays.copyOfRange(logits, offset, offset + vocab);
        java.util.Arrays.sort(row);
        return row[vocab - k];
    }
}
