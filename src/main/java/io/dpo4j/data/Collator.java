package io.dpo4j.data;

import java.util.List;

/** Builds {@link Batch}es: rows {@code [chosen...; rejected...]}, right padded to the longest row. */
public final class Collator {

    private Collator() {
    }

    /** Collates pairs into one batch; {@code T} is the longest prompt + completion in the list. */
    public static Batch collate(List<TokenizedPair> pairs, int padId) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("expected at least one pair to collate, found none");
        }
        int b = pairs.size();
        int t = 0;
        for (TokenizedPair p : pairs) {
            t = Math.max(t, Math.max(p.chosenLength(), p.rejectedLength()));
        }
        long[] ids = new long[2 * b * t];            // (N, T)
        long[] attention = new long[2 * b * t];      // (N, T)
        long[] completion = new long[2 * b * t];     // (N, T)
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            TokenizedPair p = pairs.get(i);
            long[] prompt = p.promptIds();
            fillRow(ids, attention, completion, i * t, prompt, p.chosenIds());
            fillRow(ids, attention, completion, (b + i) * t, prompt, p.rejectedIds());
        }
        return new Batch(b, t, ids, attention, completion);
    }

    private static void fillRow(long[] ids, long[] attention, long[] completion, int offset, long[] prompt,
                                long[] answer) {
        System.arraycopy(prompt, 0, ids, offset, prompt.length);
        System.arraycopy(answer, 0, ids, offset + prompt.length, answer.length);
        int len = prompt.length + answer.length;
        for (int t = 0; t < len; t++) {
            attention[offset + t] = 1;
            completion[offset + t] = t >= prompt.length && t > 0 ? 1 : 0;
        }
    }

    /** {@code pref_prob} input, (B). */
    public static float[] prefProbs(List<TokenizedPair> pairs) {
        float[] out = new float[pairs.size()];       // (B)
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) pairs.get(i).source().prefProb();
        }
        return out;
    }

    /** {@code pair_weight} input, (B). */
    public static float[] weights(List<TokenizedPair> pairs) {
        float[] out = new float[pairs.size()];       // (B)
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) pairs.get(i).source().weight();
        }
        return out;
    }
}
