package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Layout rules of tools/CONTRACT.md on hand-checkable ids. */
class CollatorTest {

    private static TokenizedPair pair(long[] prompt, long[] chosen, long[] rejected, double p, double w) {
        return new TokenizedPair(new PreferencePair("x", "p", "c", "r", p, w, "t:1"), prompt, chosen, rejected);
    }

    @Test
    void rowsAreChosenThenRejectedRightPadded() {
        TokenizedPair a = pair(new long[] {1, 2}, new long[] {3}, new long[] {4, 5, 6}, 0.7, 2.0);
        TokenizedPair b = pair(new long[] {7}, new long[] {8, 9}, new long[] {10}, 1.0, 1.0);
        Batch batch = Collator.collate(List.of(a, b), 0);
        assertEquals(2, batch.pairs());
        assertEquals(5, batch.seqLen());
        assertThat(batch.inputIds()).containsExactly(
                1, 2, 3, 0, 0,
                7, 8, 9, 0, 0,
                1, 2, 4, 5, 6,
                7, 10, 0, 0, 0);
        assertThat(batch.attentionMask()).containsExactly(
                1, 1, 1, 0, 0,
                1, 1, 1, 0, 0,
                1, 1, 1, 1, 1,
                1, 1, 0, 0, 0);
        assertThat(batch.completionMask()).containsExactly(
                0, 0, 1, 0, 0,
                0, 1, 1, 0, 0,
                0, 0, 1, 1, 1,
                0, 1, 0, 0, 0);
        assertThat(Collator.prefProbs(List.of(a, b))).containsExactly(0.7f, 1.0f);
        assertThat(Collator.weights(List.of(a, b))).containsExactly(2.0f, 1.0f);
    }

    @Test
    void emptyPromptNeverCountsPositionZero() {
        Batch batch = Collator.collate(List.of(pair(new long[0], new long[] {5, 6}, new long[] {7, 8, 9}, 1, 1)), 0);
        assertThat(batch.completionMask()).containsExactly(0, 1, 0, 0, 1, 1);
    }

    @Test
    void batchRejectsBrokenShapesAndMasks() {
        assertThatThrownBy(() -> new Batch(1, 2, new long[4], new long[3], new long[4]))
                .hasMessageContaining("attentionMask: expected length 4");
        assertThatThrownBy(() -> new Batch(1, 2, new long[4], new long[] {1, 1, 1, 1}, new long[] {1, 0, 0, 0}))
                .hasMessageContaining("completionMask[0, 0]");
        assertThatThrownBy(() -> new Batch(1, 2, new long[4], new long[] {1, 0, 1, 1}, new long[] {0, 1, 0, 0}))
                .hasMessageContaining("padding position");
        assertThatThrownBy(() -> Collator.collate(List.of(), 0)).hasMessageContaining("at least one pair");
    }

    @Test
    void batchArraysAreCopies() {
        Batch batch = Collator.collate(List.of(pair(new long[] {1}, new long[] {2}, new long[] {3}, 1, 1)), 0);
        batch.inputIds()[0] = 99;
        assertEquals(1, batch.inputIds()[0]);
    }
}
