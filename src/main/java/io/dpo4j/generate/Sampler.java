package io.dpo4j.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: a pure function of the logits, the sequence so far, the settings and
 * the random stream. The filters follow transformers' logits processors in their order
 * (RepetitionPenalty, Temperature, TopK, TopP) in float32 as transformers computes them; the draw is an inverse CDF:
 * {@code u = random.nextDouble() * Σw}, the first token in vocabulary order whose running sum of weights exceeds u.
 */
final class Sampler {
    private Sampler() {}

    /**
     * @param logits        logits of several positions, row-major  (…, V)
     * @param offset        start of the row to sample from
     * @param vocab         V
     * @param cfg           sampling settings
     * @param context       the sequence so far (prompt and generated tokens), for the repetition penalty
     * @param contextLength how many entries of {@code context} are valid
     * @param random        random stream (unused when greedy)
     * @return the chosen token id
     */
    static int next(float[] logits, int offset, int vocab, SamplingConfig cfg, long[] context, int contextLength,
                    SplittableRandom random) {
        float[] scores = Arrays.copyOfRange(logits, offset, offset + vocab); // (V)
        if (cfg.repetitionPenalty() != 1) {
            penalize(scores, context, contextLength, (float) cfg.repetitionPenalty());
        }
        if (cfg.isGreedy()) {
            return argmax(scores);
        }
        double[] w = weights(scores, cfg); // (V)
        double z = 0;
        for (double x : w) {
            z += x;
        }
        double u = random.nextDouble() * z;
        int last = -1;
        for (int v = 0; v < vocab; v++) {
            if (w[v] > 0) {
                u -= w[v];
                last = v;
                if (u < 0) {
                    return v;
                }
            }
        }
        return last; // u was (numerically) at the very top of the range
    }

    /**
     * Temperature, top-k and top-p on (already penalised) scores.
     *
     * @param scores (V) logits after the repetition penalty; overwritten with the tempered scores
     * @return (V) unnormalised probabilities, 0 for every filtered token
     */
    static double[] weights(float[] scores, SamplingConfig cfg) {
        int vocab = scores.length;
        float t = (float) cfg.temperature();
        for (int v = 0; v < vocab; v++) {
            scores[v] = scores[v] / t; // (V) TemperatureLogitsWarper
        }
        boolean[] keep = new boolean[vocab]; // (V)
        float cutoff = cfg.topK() > 0 && cfg.topK() < vocab ? kthLargest(scores, cfg.topK()) : Float.NEGATIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            keep[v] = scores[v] >= cutoff; // TopKLogitsWarper keeps ties with the k-th score
            if (keep[v]) {
                max = Math.max(max, scores[v]);
            }
        }
        double[] w = new double[vocab]; // (V)
        double z = 0;
        for (int v = 0; v < vocab; v++) {
            w[v] = keep[v] ? Math.exp((double) scores[v] - max) : 0;
            z += w[v];
        }
        if (cfg.topP() < 1) {
            nucleus(scores, keep, w, z, cfg.topP());
        }
        return w;
    }

    /** RepetitionPenaltyLogitsProcessor: every token present in the context once, whatever its count. */
    static void penalize(float[] scores, long[] context, int length, float penalty) {
        boolean[] done = new boolean[scores.length]; // (V)
        for (int i = 0; i < length; i++) {
            long tok = context[i];
            if (tok >= 0 && tok < scores.length && !done[(int) tok]) {
                done[(int) tok] = true;
                float s = scores[(int) tok];
                scores[(int) tok] = s < 0 ? s * penalty : s / penalty;
            }
        }
    }

    /**
     * TopPLogitsWarper: in ascending score order, drops tokens while the cumulative probability (from the least
     * likely) stays {@code <= 1 - p}; the most likely token always stays. Zeroes the dropped weights.
     */
    private static void nucleus(float[] scores, boolean[] keep, double[] w, double z, double p) {
        int kept = 0;
        for (boolean k : keep) {
            kept += k ? 1 : 0;
        }
        Integer[] order = new Integer[kept];
        for (int v = 0, i = 0; v < keep.length; v++) {
            if (keep[v]) {
                order[i++] = v;
            }
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]) != 0 ? Float.compare(scores[a], scores[b])
                : Integer.compare(a, b));
        double cumulative = 0;
        for (int i = 0; i < order.length - 1; i++) {
            int v = order[i];
            cumulative += w[v] / z;
            if (cumulative > 1 - p) {
                break;
            }
            w[v] = 0;
        }
    }

    /** @return the first index of the largest score (torch.argmax's tie rule) */
    static int argmax(float[] scores) {
        int best = 0;
        for (int v = 1; v < scores.length; v++) {
            if (scores[v] > scores[best]) {
                best = v;
            }
        }
        return best;
    }

    private static float kthLargest(float[] scores, int k) {
        float[] row = scores.clone();
        Arrays.sort(row);
        return row[row.length - k];
    }
}
