package io.dpo4j.sweep;

import static io.dpo4j.sweep.PowerTransformTest.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The Gaussian process against a float64 torch reference (tools/parity/golden_sweep.py): posterior mean and
 * standard deviation for fixed hyper-parameters, the log posterior of the hyper-parameters (compared as a difference
 * between two settings: the Java value omits constants), and the fitted hyper-parameters reaching the posterior
 * mode that multi-start L-BFGS finds; then its behaviour on noise-free and noisy data.
 */
class GaussianProcessTest {
    private static double[][] matrix(JsonNode a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = doubles(a.get(i));
        }
        return out;
    }

    private static double[] theta(double[] lengths, double outputScale, double noise) {
        double[] t = new double[lengths.length + 2];
        for (int i = 0; i < lengths.length; i++) {
            t[i] = Math.log(lengths[i]);
        }
        t[lengths.length] = Math.log(outputScale);
        t[lengths.length + 1] = Math.log(noise);
        return t;
    }

    @Test
    void matchesTheReference() throws Exception {
        JsonNode cases = PowerTransformTest.golden().get("gp");
        assertThat(cases.size()).isEqualTo(2);
        for (JsonNode c : cases) {
            double[][] x = matrix(c.get("x")), test = matrix(c.get("test"));
            double[] y = doubles(c.get("y"));
            double[] lengths = doubles(c.get("lengths"));
            GaussianProcess gp = GaussianProcess.withHyper(x, y, new GaussianProcess.Hyper(lengths,
                    c.get("output_scale").asDouble(), c.get("noise").asDouble()));
            double[] mean = doubles(c.get("mean")), sd = doubles(c.get("sd"));
            for (int i = 0; i < test.length; i++) {
                double[] ms = gp.predict(test[i]);
                assertThat(ms[0]).as("%s mean %d", c.get("name"), i)
                        .isCloseTo(mean[i], within(1e-9 * (1 + Math.abs(mean[i]))));
                assertThat(ms[1]).as("%s sd %d", c.get("name"), i).isCloseTo(sd[i], within(1e-9 * (1 + sd[i])));
            }
            double[] ys = GaussianProcess.standardise(y);
            double[] t1 = theta(lengths, c.get("output_scale").asDouble(), c.get("noise").asDouble());
            double[] t2 = theta(doubles(c.get("lengths2")), c.get("output_scale2").asDouble(),
                    c.get("noise2").asDouble());
            double java1 = GaussianProcess.negLogPosterior(x, ys, t1);
            double java2 = GaussianProcess.negLogPosterior(x, ys, t2);
            double ref1 = c.get("neg_log_posterior").asDouble(), ref2 = c.get("neg_log_posterior2").asDouble();
            assertThat(java2 - java1).as("%s posterior difference", c.get("name")).isCloseTo(ref2 - ref1, within(1e-9));
            GaussianProcess.Hyper h = GaussianProcess.fit(x, y).hyper();
            double fitted = GaussianProcess.negLogPosterior(x, ys, theta(h.lengths(), h.outputScale(), h.noise()));
            double refMode = c.get("map_neg_log_posterior").asDouble();
            assertThat(fitted - java1).as("%s: the fit reaches L-BFGS's mode", c.get("name"))
                    .isLessThanOrEqualTo(refMode - ref1 + 1e-4);
        }
    }

    @Test
    void interpolatesNoiseFreeDataAndSmoothsNoisyData() {
        double[][] x = new double[12][];
        double[] clean = new double[12], noisy = new double[12];
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {i / 11.0};
            clean[i] = Math.sin(6 * x[i][0]);
            noisy[i] = clean[i] + 0.3 * (r.nextDouble() - 0.5) * Math.sqrt(12);
        }
        GaussianProcess exact = GaussianProcess.fit(x, clean);
        for (int i = 0; i < x.length; i++) {
            assertThat(exact.predict(x[i])[0]).isCloseTo(clean[i], within(1e-2));
            assertThat(exact.predict(x[i])[1]).isLessThan(0.02);
        }
        assertThat(exact.predict(new double[] {0.5 / 11})[1]).isGreaterThan(exact.predict(x[0])[1]);
        GaussianProcess smooth = GaussianProcess.fit(x, noisy);
        assertThat(smooth.hyper().noise()).isGreaterThan(100 * exact.hyper().noise());
        double errNoisy = 0, errModel = 0;
        for (int i = 0; i < x.length; i++) {
            errNoisy += Math.pow(noisy[i] - clean[i], 2);
            errModel += Math.pow(smooth.predict(x[i])[0] - clean[i], 2);
        }
        assertThat(errModel).as("the posterior mean is closer to the clean function than the data")
                .isLessThan(errNoisy);
    }
}
