package io.dpo4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The deterministic order in which training pairs are visited: each epoch is a seeded permutation cut into
 * micro-batches. Micro-batch {@code k} of the run is a pure function of (seed, pair count, batch size, k), so a resumed
 * run continues with exactly the batches the uninterrupted run would have seen.
 *
 * @param pairCount  training pairs
 * @param batchSize  pairs per micro-batch
 * @param seed       shuffle seed
 * @param dropLast   drop the last incomplete micro-batch of an epoch
 */
public record BatchPlan(int pairCount, int batchSize, long seed, boolean dropLast) {
    /** Validates sizes. */
    public BatchPlan {
        if (pairCount < 1) {
            throw new IllegalArgumentException("training set is empty: no pair survived reading and tokenization");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size: expected >= 1, found " + batchSize);
        }
        if (dropLast && pairCount < batchSize) {
            throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + pairCount + " training pairs");
        }
    }

    /** @return micro-batches per epoch */
    public int batchesPerEpoch() {
        return dropLast ? pairCount / batchSize : (pairCount + batchSize - 1) / batchSize;
    }

    /** @return the pair indices of global micro-batch {@code k} (0-based across epochs) */
    public int[] batch(long k) {
        int perEpoch = batchesPerEpoch();
        int epoch = (int) (k / perEpoch);
        int within = (int) (k % perEpoch);
        int[] order = permutation(epoch);
        int from = within * batchSize;
        int to = Math.min(order.length, from + batchSize);
        int[] out = new int[to - from];
        System.arraycopy(order, from, out, 0, out.length);
        return out;
    }

    /** @return the epoch micro-batch {@code k} belongs to */
    public int epochOf(long k) {
        return (int) (k / batchesPerEpoch());
    }

    private int[] permutation(int epoch) {
        int[] p = new int[pairCount];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + epoch);
        for (int i = p.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** @return every pair index grouped in micro-batches, in file order (for evaluation) */
    public static List<int[]> sequential(int count, int batchSize) {
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < count; from += batchSize) {
            int[] b = new int[Math.min(batchSize, count - from)];
            for (int i = 0; i < b.length; i++) {
                b[i] = from + i;
            }
            out.add(b);
        }
        return out;
    }
}
