package io.dpo4j.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The output warping against float64 references (src/test/resources/golden/sweep_bayes.json, written by
 * tools/parity/golden_sweep.py, whose dense-grid λ reproduces scikit-learn's documented examples), and its
 * properties: order kept, standardised, a long tail compressed.
 */
class PowerTransformTest {
    static JsonNode golden() throws Exception {
        return new ObjectMapper().readTree(Path.of("src/test/resources/golden/sweep_bayes.json").toFile());
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    @Test
    void lambdaAndWarpedValuesMatchTheReference() throws Exception {
        JsonNode cases = golden().get("power");
        assertThat(cases.size()).isEqualTo(8);
        for (JsonNode c : cases) {
            double[] y = doubles(c.get("y"));
            boolean boxCox = c.get("box_cox").asBoolean();
            double[] warped = doubles(c.get("warped"));
            if (c.get("divide_by_std").asBoolean()) {
                assertThat(PowerTransform.warp(y)).as("warp %s", c.get("y")).containsExactly(warped, within(1e-6));
                double sd = Math.sqrt(variance(y));
                double[] s = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    s[i] = y[i] / sd;
                }
                y = s;
            }
            double lambda = PowerTransform.maxLikelihoodLambda(y, boxCox);
            assertThat(lambda).as("lambda of %s", c.get("y")).isCloseTo(c.get("lambda").asDouble(), within(1e-6));
        }
        // the documented scikit-learn values the reference reproduces (PowerTransformer's docstring example)
        assertThat(PowerTransform.maxLikelihoodLambda(new double[] {1, 3, 4}, false)).isCloseTo(1.386, within(1e-3));
        assertThat(PowerTransform.maxLikelihoodLambda(new double[] {2, 2, 5}, false)).isCloseTo(-3.100, within(1e-3));
    }

    @Test
    void keepsTheOrderAndCompressesALongTail() {
        double[] losses = {0.31, 0.172, 2.5, 0.45, 0.205, 0.69}; // one diverged run
        double[] z = PowerTransform.warp(losses);
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z.length; j++) {
                assertThat(Double.compare(z[i], z[j])).isEqualTo(Double.compare(losses[i], losses[j]));
            }
        }
        assertThat(mean(z)).isCloseTo(0, within(1e-12));
        assertThat(variance(z)).isCloseTo(1, within(1e-12));
        double[] plain = GaussianProcess.standardise(losses);
        // plain standardisation puts the five good trials within 0.6 sd of each other; the warp spreads them
        assertThat(z[5] - z[1]).isGreaterThan(2 * (plain[5] - plain[1]));
    }

    @Test
    void constantObjectivesGiveZeros() {
        assertThat(PowerTransform.warp(new double[] {0.3, 0.3, 0.3})).containsExactly(0, 0, 0);
    }

    private static double mean(double[] y) {
        double m = 0;
        for (double v : y) {
            m += v / y.length;
        }
        return m;
    }

    private static double variance(double[] y) {
        double m = mean(y), s = 0;
        for (double v : y) {
            s += (v - m) * (v - m) / y.length;
        }
        return s;
    }
}
