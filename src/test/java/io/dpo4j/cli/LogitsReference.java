package io.dpo4j.cli;

/** Sequence log-probs recomputed in double from (N, T, V) logits: the reference the export tests compare with. */
final class LogitsReference {
    private LogitsReference() {
    }

    /**
     * @return per row, the sum over completion positions t ≥ 1 of log softmax(logits[t − 1])[ids[t]] (N)
     */
    static double[] sequenceLogProbs(float[] logits, long[] ids, long[] completionMask, int n, int t, int v) {
        double[] sums = new double[n];
        for (int r = 0; r < n; r++) {
            for (int p = 1; p < t; p++) {
                if (completionMask[r * t + p] == 1) {
                    sums[r] += logSoftmaxAt(logits, (r * t + p - 1) * v, v, (int) ids[r * t + p]);
                }
            }
        }
        return sums;
    }

    private static double logSoftmaxAt(float[] logits, int offset, int v, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double z = 0;
        for (int i = 0; i < v; i++) {
            z += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + target] - max - Math.log(z);
    }
}
