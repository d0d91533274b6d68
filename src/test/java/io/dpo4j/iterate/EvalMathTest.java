package io.dpo4j.iterate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The evaluation's statistics, checked against values worked out by hand. */
class EvalMathTest {
    private static final double NAN = Double.NaN;

    @Test
    void meanAndMedianLeaveSkippedScoresOut() {
        assertThat(EvalMath.mean(new double[] {1, NAN, 2, 6})).isEqualTo(3.0);
        assertThat(EvalMath.median(new double[] {5, NAN, 1, 3})).isEqualTo(3.0);
        assertThat(EvalMath.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(EvalMath.mean(new double[] {NAN})).isNaN();
        assertThat(EvalMath.median(new double[0])).isNaN();
    }

    @Test
    void klIsTheMeanLogRatioOfTheSamples() {
        // samples with log π = -3, -5, -1 and log π_ref = -4, -4, -2: ratios 1, -1, 1 → mean 1/3
        assertThat(EvalMath.klEstimate(new double[] {-3, -5, -1}, new double[] {-4, -4, -2}))
                .isCloseTo(1.0 / 3, within(1e-15));
        assertThat(EvalMath.klEstimate(new double[] {-7.25, -2}, new double[] {-7.25, -2})).isZero();
        assertThatThrownBy(() -> EvalMath.klEstimate(new double[] {1}, new double[] {1, 2}))
                .hasMessageContaining("expected as many reference log-probs as policy ones (1), found 2");
    }

    @Test
    void winRateCountsTiesAsHalfAndSkipsUnscoredPrompts() {
        EvalMath.WinRate w = EvalMath.winRate(new double[] {0.9, 0.5, 0.1, 0.7, NAN, 0.3},
                new double[] {0.1, 0.5, 0.2, 0.6, 0.4, NAN});
        assertThat(w).isEqualTo(new EvalMath.WinRate(2, 1, 1));
        assertThat(w.rate()).isEqualTo((2 + 0.5) / 4);
        double[] same = {0.3, 0.8, NAN};
        assertThat(EvalMath.winRate(same, same).rate()).isEqualTo(0.5); // a model against itself: all ties
        assertThat(EvalMath.winRate(new double[] {NAN}, new double[] {1}).rate()).isNaN();
    }

    @Test
    void lengthsGiveNearestRankPercentilesAndAHistogram() {
        int[] t = {16, 3, 7, 16, 0, 9, 12, 16, 5, 1};
        EvalMath.Lengths l = EvalMath.lengths(t, 16);
        // sorted: 0 1 3 5 7 9 12 16 16 16
        assertThat(l.mean()).isEqualTo(8.5);
        assertThat(l.min()).isZero();
        assertThat(l.p10()).isZero(); // rank ceil(1.0) = 1
        assertThat(l.p50()).isEqualTo(7); // rank 5
        assertThat(l.p90()).isEqualTo(16); // rank 9
        assertThat(l.max()).isEqualTo(16);
        assertThat(l.binWidth()).isEqualTo(3); // (16 + 8) / 8
        // bins [0,3) [3,6) [6,9) [9,12) [12,15) [15,18)
        assertThat(l.histogram()).containsExactly(2, 2, 1, 1, 1, 3);
        assertThat(EvalMath.lengths(new int[] {4}, 4).histogram()).containsExactly(0, 0, 0, 0, 1);
    }

    @Test
    void theBandAroundTheTargetIsClosed() {
        // target 10, band 0.2 → lengths 8..12 count
        assertThat(EvalMath.fractionInBand(new int[] {7, 8, 10, 12, 13}, 10, 0.2)).isEqualTo(3.0 / 5);
    }
}
