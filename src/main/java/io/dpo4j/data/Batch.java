package io.dpo4j.data;

/**
 * One micro-batch in the layout of tools/CONTRACT.md: {@code N = 2 * pairs} rows
 * {@code [chosen_0..chosen_{B-1}; rejected_0..rejected_{B-1}]} of length {@code T = seqLen}, row-major, right padded.
 * Arrays are copied in and out.
 *
 * @param pairs          B, pairs in the batch
 * @param seqLen         T, longest row
 * @param inputIds       (N, T) token ids, padding = pad id
 * @param attentionMask  (N, T) 1 on real tokens
 * @param completionMask (N, T) 1 on counted completion tokens, never at position 0
 */
public record Batch(int pairs, int seqLen, long[] inputIds, long[] attentionMask, long[] completionMask) {

    /** Validates shapes and the masks' invariants, and copies the arrays. */
    public Batch {
        if (pairs < 1 || seqLen < 1) {
            throw new IllegalArgumentException("expected pairs >= 1 and seqLen >= 1, found " + pairs + ", " + seqLen);
        }
        int size = Math.multiplyExact(2 * pairs, seqLen);
        inputIds = checked("inputIds", inputIds, size);
        attentionMask = checked("attentionMask", attentionMask, size);
        completionMask = checked("completionMask", completionMask, size);
        for (int r = 0; r < 2 * pairs; r++) {
            if (completionMask[r * seqLen] != 0) {
                throw new IllegalArgumentException("completionMask[" + r + ", 0]: expected 0, found 1");
            }
            for (int t = 0; t < seqLen; t++) {
                int i = r * seqLen + t;
                if (completionMask[i] == 1 && attentionMask[i] != 1) {
                    throw new IllegalArgumentException("completionMask[" + r + ", " + t + "] is 1 on a padding position");
                }
            }
        }
    }

    private static long[] checked(String name, long[] a, int size) {
        if (a == null || a.length != size) {
            throw new IllegalArgumentException(name + ": expected length " + size + " (N*T), found "
                    + (a == null ? "null" : a.length));
        }
        return a.clone();
    }

    /** N = 2 * pairs. */
    public int rows() {
        return 2 * pairs;
    }

    @Override
    public long[] inputIds() {
        return inputIds.clone();
    }

    @Override
    public long[] attentionMask() {
        return attentionMask.clone();
    }

    @Override
    public long[] completionMask() {
        return completionMask.clone();
    }
}
