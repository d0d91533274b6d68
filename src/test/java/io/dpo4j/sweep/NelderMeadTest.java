package io.dpo4j.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The box-constrained simplex search: finds interior and boundary minima, never evaluates outside the box. */
class NelderMeadTest {
    @Test
    void findsTheMinimumOfRosenbrock() {
        double[] p = NelderMead.minimize(v -> 100 * Math.pow(v[1] - v[0] * v[0], 2) + Math.pow(1 - v[0], 2),
                new double[] {-1.2, 1}, new double[] {0.5, 0.5}, new double[] {-5, -5}, new double[] {5, 5}, 4000);
        assertThat(p[0]).isCloseTo(1, within(1e-4));
        assertThat(p[1]).isCloseTo(1, within(1e-4));
    }

    @Test
    void staysInsideTheBoxAndFindsABoundaryMinimum() {
        List<double[]> seen = new ArrayList<>();
        double[] p = NelderMead.minimize(v -> {
            seen.add(v.clone());
            return Math.pow(v[0] - 2, 2) + Math.pow(v[1] + 0.3, 2); // minimum (2, -0.3): outside in x
        }, new double[] {0.5, 0.5}, new double[] {0.1, 0.1}, new double[] {0, -1}, new double[] {1, 1}, 500);
        assertThat(p[0]).isCloseTo(1, within(1e-6));
        assertThat(p[1]).isCloseTo(-0.3, within(1e-4));
        assertThat(seen).allSatisfy(v -> assertThat(v[0]).isBetween(0.0, 1.0));
    }
}
