package io.dpo4j.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The proposal strategies on functions with known optima: Bayesian optimisation finds them and needs fewer trials
 * than random search to reach a target (median over seeds), grid covers its grid, parameters map as specified.
 */
class StrategyTest {
    /** Branin-Hoo on [0,1]² mapped to x1 ∈ [-5, 10], x2 ∈ [0, 15]; global minimum 0.397887 (three places). */
    static double branin(double[] u) {
        double x1 = -5 + 15 * u[0], x2 = 15 * u[1];
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.cos(x1) + 10;
    }

    /** A 3-D bowl with its minimum 0 at (0.2, 0.7, 0.45). */
    static double bowl(double[] u) {
        return 4 * (Math.pow(u[0] - 0.2, 2) + Math.pow(u[1] - 0.7, 2) + Math.pow(u[2] - 0.45, 2));
    }

    /** @return the number of trials until the best objective is ≤ target (budget + 1 if never) */
    static int trialsToTarget(Strategy s, int dims, ToDoubleFunction<double[]> f, double target, int budget) {
        List<Strategy.Observation> done = new ArrayList<>();
        for (int t = 0; t < budget; t++) {
            double[] u = s.next(dims, done, t);
            double y = f.applyAsDouble(u);
            done.add(new Strategy.Observation(u, y));
            if (y <= target) {
                return t + 1;
            }
        }
        return budget + 1;
    }

    @Test
    void bayesFindsTheOptimaOfKnownFunctions() {
        assertThat(trialsToTarget(new BayesStrategy(1), 2, StrategyTest::branin, 0.397887 + 0.05, 40))
                .isLessThanOrEqualTo(40);
        assertThat(trialsToTarget(new BayesStrategy(1), 3, StrategyTest::bowl, 0.01, 40)).isLessThanOrEqualTo(40);
    }

    @Test
    void bayesNeedsFewerTrialsThanRandomSearch() {
        int seeds = 9;
        int[] bayes = new int[seeds], random = new int[seeds];
        for (int s = 0; s < seeds; s++) {
            bayes[s] = trialsToTarget(new BayesStrategy(s), 2, StrategyTest::branin, 0.5, 200);
            random[s] = trialsToTarget(new RandomStrategy(s), 2, StrategyTest::branin, 0.5, 200);
        }
        Arrays.sort(bayes);
        Arrays.sort(random);
        System.out.println("trials to Branin <= 0.5, bayes " + Arrays.toString(bayes) + ", random "
                + Arrays.toString(random));
        assertThat(bayes[seeds / 2]).isLessThan(random[seeds / 2]);
    }

    @Test
    void gridVisitsEveryPointOnce() {
        Strategy g = new GridStrategy(3);
        List<String> seen = new ArrayList<>();
        for (int t = 0; ; t++) {
            double[] u = g.next(2, List.of(), t);
            if (u == null) {
                break;
            }
            seen.add(Arrays.toString(u));
        }
        assertThat(seen).hasSize(9).doesNotHaveDuplicates().contains("[0.0, 0.0]", "[0.5, 1.0]", "[1.0, 1.0]");
    }

    @Test
    void normalDistributionFunctionMatchesTables() {
        assertThat(Normal.cdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(Normal.cdf(1.959963984540054)).isCloseTo(0.975, within(2e-7));
        assertThat(Normal.cdf(-1)).isCloseTo(0.15865525393145707, within(2e-7));
        assertThat(Normal.cdf(-6)).isCloseTo(9.865876450376946e-10, within(1e-12));
    }

    @Test
    void gaussianProcessInterpolatesItsPoints() {
        double[][] x = {{0.1, 0.2}, {0.5, 0.5}, {0.9, 0.3}, {0.3, 0.8}};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = bowl(new double[] {x[i][0], x[i][1], 0.45});
        }
        GaussianProcess gp = GaussianProcess.fit(x, y);
        for (int i = 0; i < x.length; i++) {
            double[] ms = gp.predict(x[i]);
            assertThat(ms[0]).isCloseTo(y[i], within(1e-2));
            assertThat(ms[1]).isLessThan(0.05);
        }
        assertThat(gp.predict(new double[] {0.95, 0.95})[1]).isGreaterThan(gp.predict(x[1])[1]);
    }

    @Test
    void paramsParseAndMapToValues() {
        SearchParam lr = SearchParam.parse("lr=1e-4:1e-2");
        assertThat(lr.log()).isTrue();
        assertThat(lr.value(0)).isCloseTo(1e-4, within(1e-12));
        assertThat(lr.value(0.5)).isCloseTo(1e-3, within(1e-12));
        assertThat(lr.value(1)).isCloseTo(1e-2, within(1e-12));
        SearchParam eps = SearchParam.parse("label-smoothing=0:0.3");
        assertThat(eps.log()).isFalse();
        assertThat(eps.value(0.5)).isCloseTo(0.15, within(1e-12));
        assertThat(SearchParam.parse("batch-size=2:8:int").text(0.5)).isEqualTo("5");
        assertThatThrownBy(() -> SearchParam.parse("lr=0:1:log")).hasMessageContaining("log scale needs low > 0");
        assertThatThrownBy(() -> SearchParam.parse("lr")).hasMessageContaining("NAME=LOW:HIGH");
        assertThatThrownBy(() -> Strategy.parse("tpe", 3, 0)).hasMessageContaining("[grid, random, bayes]");
    }
}
