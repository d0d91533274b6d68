package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.artifacts.GraphContract;
import io.dpo4j.data.Batch;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.runtime.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Packing a batch into shared-prompt rows: the shared prompt is the common real prefix before either completion,
 * the chosen row follows whole, the rejected row follows after the shared prompt, segments and completion flags go
 * with their tokens, rows are right padded to the longest. The numerics of the packed graph against the unpacked one
 * are tools/tests/test_shared_prompt.py's.
 */
class SharedPromptRowsTest {
    private static final long P = SharedPromptRows.PROMPT;
    private static final long C = SharedPromptRows.CHOSEN;
    private static final long R = SharedPromptRows.REJECTED;
    private static final long X = SharedPromptRows.PAD;

    @Test
    void sharesTheCommonPromptAndKeepsBothCompletions() {
        // B = 2, T = 5. Pair 0: prompt [5 6], chosen [7 8 9], rejected [3] + padding. Pair 1: prompt [5 6 1],
        // chosen [2], rejected [4 4]
        Batch b = new Batch(2, 5,
                new long[] {5, 6, 7, 8, 9, 5, 6, 1, 2, 0, 5, 6, 3, 0, 0, 5, 6, 1, 4, 4},
                new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1},
                new long[] {0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1});
        SharedPromptRows p = SharedPromptRows.of(b);
        assertThat(p.pairs()).isEqualTo(2);
        assertThat(p.width()).isEqualTo(6); // 5 + 3 - 2 and 4 + 5 - 3
        assertThat(p.inputIds()).containsExactly(5, 6, 7, 8, 9, 3, /* pair 1 */ 5, 6, 1, 2, 4, 4);
        assertThat(p.segmentIds()).containsExactly(P, P, C, C, C, R, /* pair 1 */ P, P, P, C, R, R);
        assertThat(p.completionMask()).containsExactly(0, 0, 1, 1, 1, 1, /* pair 1 */ 0, 0, 0, 1, 1, 1);
    }

    @Test
    void promptsThatDifferShareOnlyTheirCommonStartAndPadTheShorterRow() {
        // B = 2, T = 4. Pair 0: prompts [5 6] and [5 9]: S = 1. Pair 1: prompts differ at the first token: S = 0
        Batch b = new Batch(2, 4,
                new long[] {5, 6, 7, 0, 1, 2, 3, 0, 5, 9, 8, 0, 4, 2, 3, 0},
                new long[] {1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0},
                new long[] {0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0});
        SharedPromptRows p = SharedPromptRows.of(b);
        assertThat(p.width()).isEqualTo(6); // 3 + 3 - 0 (pair 1); pair 0 packs to 3 + 3 - 1 = 5
        assertThat(p.inputIds()).containsExactly(5, 6, 7, 9, 8, 0, /* pair 1 */ 1, 2, 3, 4, 2, 3);
        assertThat(p.segmentIds()).containsExactly(P, C, C, R, R, X, /* pair 1 */ C, C, C, R, R, R);
        assertThat(p.completionMask()).containsExactly(0, 0, 1, 0, 1, 0, /* pair 1 */ 0, 0, 1, 0, 0, 1);
    }

    @Test
    void theSharedPromptStopsAtTheFirstCompletionTokenEvenWhenTokensAgree() {
        // chosen == rejected (a tie): the prompt [5] is shared, both completions [6 7] are kept, each counted
        Batch b = new Batch(1, 3, new long[] {5, 6, 7, 5, 6, 7}, new long[] {1, 1, 1, 1, 1, 1},
                new long[] {0, 1, 1, 0, 1, 1});
        SharedPromptRows p = SharedPromptRows.of(b);
        assertThat(p.inputIds()).containsExactly(5, 6, 7, 6, 7);
        assertThat(p.segmentIds()).containsExactly(P, C, C, R, R);
        assertThat(p.completionMask()).containsExactly(0, 1, 1, 1, 1);
    }

    @Test
    void feedsPackedTensorsToAGraphThatTakesSegmentIds() {
        Batch b = new Batch(1, 3, new long[] {5, 6, 7, 5, 6, 8}, new long[] {1, 1, 1, 1, 1, 1},
                new long[] {0, 1, 1, 0, 1, 1});
        LossInputs in = LossInputs.of(LossConfig.defaults(), new float[] {-3f}, new float[] {-4f}, new float[] {1f},
                new float[] {1f}, 1f);
        List<String> names = GraphContract.TRAIN_INPUTS_SHARED_PROMPT;
        List<Tensor> feeds = GraphFeeds.forTraining(names, b, in);
        try {
            assertThat(feeds.get(names.indexOf("input_ids")).shape()).containsExactly(1L, 5L); // (B, L)
            assertThat(feeds.get(names.indexOf("segment_ids")).toLongs()).containsExactly(P, C, C, R, R);
            assertThat(feeds.get(names.indexOf("completion_mask")).toLongs()).containsExactly(0, 1, 1, 1, 1);
        } finally {
            feeds.forEach(Tensor::close);
        }
        assertThat(GraphContract.sharedPrompt(names)).isTrue();
        assertThat(GraphContract.sharedPrompt(GraphContract.TRAIN_INPUTS)).isFalse();
    }

    @Test
    void refusesArraysOfTheWrongShape() {
        assertThatThrownBy(() -> new SharedPromptRows(1, 3, new long[3], new long[3], new long[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected three (B, L) = (1, 3) arrays of 3 values, found 3, 3, 2");
    }
}
