package io.dpo4j.train;

import io.dpo4j.data.Batch;

/**
 * A batch packed for shared-prompt training graphs (tools/CONTRACT.md, "Shared-prompt training graphs"): one row
 * per pair, {@code [shared prompt | rest of chosen | rest of rejected | padding]}, so the prompt runs through the model
 * once per pair instead of twice (prefix sharing, Wang et al. 2024, "Accelerating Direct Preference Optimization with
 * Prefix Sharing"). The graph derives the attention mask, the positions and the scoring positions from
 * {@code segmentIds}; its outputs keep the unpacked rows' order (chosen rows, then rejected rows).
 *
 * <p>The shared prompt of a pair is the longest common prefix of its two rows that is real and lies before either
 * row's first completion token; it is empty when the prompts differ from the first token (the pair then gains nothing
 * but stays exact).
 *
 * <p>The arrays are held as given (not copied): the rows are built for one feed and then dropped.
 *
 * @param pairs          B
 * @param width          L, the longest packed row
 * @param inputIds       (B, L) token ids, 0 on padding
 * @param segmentIds     (B, L) {@link #PAD}, {@link #PROMPT}, {@link #CHOSEN} or {@link #REJECTED}
 * @param completionMask (B, L) 1 on counted completion tokens (the unpacked rows' counted tokens)
 */
public record SharedPromptRows(int pairs, int width, long[] inputIds, long[] segmentIds, long[] completionMask) {
    /** Segment of a padding position. */
    public static final long PAD = 0;
    /** Segment of the shared prompt. */
    public static final long PROMPT = 1;
    /** Segment of the chosen row's tokens after the shared prompt. */
    public static final long CHOSEN = 2;
    /** Segment of the rejected row's tokens after the shared prompt. */
    public static final long REJECTED = 3;

    /** Validates the shapes. */
    public SharedPromptRows {
        long size = (long) pairs * width;
        if (pairs < 1 || width < 1 || inputIds.length != size || segmentIds.length != size
                || completionMask.length != size) {
            throw new IllegalArgumentException("expected three (B, L) = (" + pairs + ", " + width + ") arrays of "
                    + size + " values, found " + inputIds.length + ", " + segmentIds.length + ", "
                    + completionMask.length);
        }
    }

    /** @return the packed form of {@code b} (rows chosen_p and rejected_p become row p) */
    public static SharedPromptRows of(Batch b) {
        int pairs = b.pairs();
        int t = b.seqLen();
        long[] ids = b.inputIds();
        long[] attn = b.attentionMask();
        long[] comp = b.completionMask();
        int[] shared = new int[pairs];
        int[] lenC = new int[pairs]; // real tokens of chosen_p
        int[] lenR = new int[pairs]; // real tokens of rejected_p
        int width = 1;
        for (int p = 0; p < pairs; p++) {
            int c = p * t;
            int r = (pairs + p) * t;
            shared[p] = sharedPrefix(ids, attn, comp, c, r, t);
            lenC[p] = realLength(attn, c, t);
            lenR[p] = realLength(attn, r, t);
            width = Math.max(width, lenC[p] + lenR[p] - shared[p]);
        }
        long[] outIds = new long[pairs * width];
        long[] outSeg = new long[pairs * width];
        long[] outComp = new long[pairs * width];
        for (int p = 0; p < pairs; p++) {
            int at = p * width;
            int c = p * t;
            int r = (pairs + p) * t;
            for (int i = 0; i < lenC[p]; i++, at++) { // the chosen row, its shared prompt first
                outIds[at] = ids[c + i];
                outSeg[at] = i < shared[p] ? PROMPT : CHOSEN;
                outComp[at] = comp[c + i];
            }
            for (int i = shared[p]; i < lenR[p]; i++, at++) { // the rejected row after the prompt
                outIds[at] = ids[r + i];
                outSeg[at] = REJECTED;
                outComp[at] = comp[r + i];
            }
        }
        return new SharedPromptRows(pairs, width, outIds, outSeg, outComp);
    }

    /** S: positions from 0 where both rows are real, not completion tokens, and hold the same id. */
    static int sharedPrefix(long[] ids, long[] attn, long[] comp, int c, int r, int t) {
        int s = 0;
        while (s < t && attn[c + s] == 1 && attn[r + s] == 1 && comp[c + s] == 0 && comp[r + s] == 0
                && ids[c + s] == ids[r + s]) {
            s++;
        }
        return s;
    }

    /** Real tokens of a right-padded row starting at {@code from}. */
    private static int realLength(long[] attn, int from, int t) {
        int n = 0;
        for (int i = 0; i < t; i++) {
            n += (int) attn[from + i];
        }
        return n;
    }
}
