package io.dpo4j.iterate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Best-vs-worst pairs: ties, margins, skipped (NaN) and blank samples, too few scored, tie-breaking by order. */
class PairSelectionTest {
    private static final double NAN = Double.NaN;

    private static List<Completion> samples(String... texts) {
        List<Completion> out = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            out.add(new Completion("p", "P:", i, texts[i], texts[i].length(), false));
        }
        return out;
    }

    @Test
    void bestIsChosenAndWorstRejected() {
        PairSelection.Choice c = PairSelection.choose(samples(" a", " b", " c", " d"), new double[] {0.2, 0.9, -0.5,
            0.1}, 0);
        assertThat(c.isPair()).isTrue();
        assertThat(c.chosen().completion()).isEqualTo(" b");
        assertThat(c.rejected().completion()).isEqualTo(" c");
        assertThat(c.margin()).isEqualTo(1.4);
    }

    @Test
    void equalScoresGoToTheFirstSampleInOrder() {
        PairSelection.Choice c = PairSelection.choose(samples(" a", " b", " c", " d"), new double[] {1, 0, 1, 0}, 0);
        assertThat(c.chosen().sample()).isZero();
        assertThat(c.rejected().sample()).isEqualTo(1);
    }

    @Test
    void tiesAreDroppedWhateverTheMargin() {
        PairSelection.Choice c = PairSelection.choose(samples(" a", " b", " c"), new double[] {0.5, 0.5, 0.5}, 0);
        assertThat(c.drop()).isEqualTo(PairSelection.Drop.TIE);
        assertThat(c.chosen()).isNull();
        // different scores but the same text (a noisy judge): a tie too, nothing to learn from
        PairSelection.Choice same = PairSelection.choose(samples(" a", " a"), new double[] {0.9, 0.1}, 0);
        assertThat(same.drop()).isEqualTo(PairSelection.Drop.TIE);
    }

    @Test
    void marginsBelowTheMinimumAreDroppedAndTheMinimumItselfKept() {
        assertThat(PairSelection.choose(samples(" a", " b"), new double[] {0.3, 0.2}, 0.25).drop())
                .isEqualTo(PairSelection.Drop.BELOW_MARGIN);
        assertThat(PairSelection.choose(samples(" a", " b"), new double[] {0.5, 0.25}, 0.25).isPair()).isTrue();
    }

    @Test
    void skippedAndBlankSamplesAreNotPaired() {
        PairSelection.Choice c = PairSelection.choose(samples(" a", " b", " \u00a0", " d"), new double[] {NAN, 0.4, 9,
            0.1}, 0);
        assertThat(c.chosen().sample()).isEqualTo(1); // 9 is a blank text, NaN was skipped by the judge
        assertThat(c.rejected().sample()).isEqualTo(3);
        assertThat(PairSelection.choose(samples(" a", " b", " c"), new double[] {NAN, 0.4, NAN}, 0).drop())
                .isEqualTo(PairSelection.Drop.TOO_FEW_SCORED);
        assertThat(PairSelection.choose(samples(" a", ""), new double[] {1, 0}, 0).drop())
                .isEqualTo(PairSelection.Drop.TOO_FEW_SCORED);
        assertThat(PairSelection.choose(samples(" a", " b"), new double[] {NAN, NAN}, 0).drop())
                .isEqualTo(PairSelection.Drop.TOO_FEW_SCORED);
    }

    @Test
    void aRoundCountsEveryKindOfDrop() {
        List<List<Completion>> byPrompt = List.of(samples(" a", " b"), samples(" a", " b"), samples(" a", " b"),
                samples(" a", "  "), samples(" a", " b"));
        List<double[]> scores = List.of(new double[] {1, 0}, new double[] {1, 1}, new double[] {0.1, 0.05},
                new double[] {1, 0}, new double[] {NAN, 0});
        List<PairSelection.Choice> out = new ArrayList<>();
        PairSelection.Stats s = PairSelection.selectAll(byPrompt, scores, 0.1, out);
        assertThat(s).isEqualTo(new PairSelection.Stats(5, 1, 2, 1, 1, 1, 1));
        assertThat(out).hasSize(5);
        assertThat(PairSelection.pairsOf(out)).singleElement().extracting(PairSelection.Choice::margin)
                .isEqualTo(1.0);
    }

    @Test
    void mismatchedInputsAreRefused() {
        assertThatThrownBy(() -> PairSelection.choose(samples(" a"), new double[] {1, 2}, 0))
                .hasMessageContaining("expected one score per sample (1), found 2");
        assertThatThrownBy(() -> PairSelection.choose(samples(" a", " b"), new double[] {1, 2}, -1))
                .hasMessageContaining("--min-margin: expected a finite value >= 0, found -1.0");
    }
}
