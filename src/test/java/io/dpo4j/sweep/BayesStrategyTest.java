package io.dpo4j.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Bayesian optimisation against random search on known functions, seeded: the median over 9 seeds of the number of
 * trials until a proposed point's true value reaches a target, and, over 31 seeds, the best true value within 12
 * trials (the small budgets a sweep of training runs has; 9 seeds are too few for that noisier measure). Functions:
 * Branin (2-D, three global minima), Hartmann-3 (3-D, four local minima), Forrester (1-D, multimodal) observed with
 * Gaussian noise, and Branin with a failing region (NaN objectives, as a diverged learning rate gives).
 */
class BayesStrategyTest {
    private static final int SEEDS = 9;

    /** Branin-Hoo on [0,1]² mapped to x1 ∈ [-5, 10], x2 ∈ [0, 15]; global minimum 0.397887. */
    static double branin(double[] u) {
        double x1 = -5 + 15 * u[0], x2 = 15 * u[1];
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.cos(x1) + 10;
    }

    /** Hartmann-3 on [0,1]³; global minimum −3.86278 at (0.114614, 0.555649, 0.852547). */
    static double hartmann3(double[] x) {
        double[] a = {1.0, 1.2, 3.0, 3.2};
        double[][] k = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
        double[][] p = {{0.3689, 0.1170, 0.2673}, {0.4699, 0.4387, 0.7470}, {0.1091, 0.8732, 0.5547},
            {0.0381, 0.5743, 0.8828}};
        double s = 0;
        for (int i = 0; i < 4; i++) {
            double e = 0;
            for (int j = 0; j < 3; j++) {
                e += k[i][j] * Math.pow(x[j] - p[i][j], 2);
            }
            s += a[i] * Math.exp(-e);
        }
        return -s;
    }

    /** Forrester et al. (2008) on [0, 1]: (6x − 2)²·sin(12x − 4); global minimum −6.02074 at 0.75725, one local. */
    static double forrester(double[] u) {
        return Math.pow(6 * u[0] - 2, 2) * Math.sin(12 * u[0] - 4);
    }

    /** A search problem: dimension, true function, observation noise (sd) and the target of the true value. */
    record Problem(int dims, ToDoubleFunction<double[]> f, double noise, double target) {}

    /** @return {trials until the true value ≤ target (budget + 1 if never), best true value in the first 12} */
    static double[] run(Strategy s, Problem p, long seed, int budget) {
        List<Strategy.Observation> done = new ArrayList<>();
        int hit = budget + 1;
        double best12 = Double.POSITIVE_INFINITY;
        for (int t = 0; t < budget && (hit > budget || t < 12); t++) {
            double[] u = s.next(p.dims(), done, t);
            assertThat(Arrays.stream(u).boxed().toList()).hasSize(p.dims())
                    .allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
            double truth = p.f().applyAsDouble(u);
            double noise = p.noise() == 0 ? 0 : p.noise() * gaussian(new SplittableRandom(seed * 100003L + t));
            done.add(new Strategy.Observation(u, truth + noise));
            if (t < 12 && !Double.isNaN(truth)) {
                best12 = Math.min(best12, truth);
            }
            if (truth <= p.target() && hit > budget) {
                hit = t + 1;
            }
        }
        return new double[] {hit, best12};
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = Math.max(r.nextDouble(), 1e-300);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** @return {bayes median trials to target, random median trials to target} over {@value #SEEDS} seeds */
    static double[] compare(String name, Problem p) {
        double[] bayes = new double[SEEDS], random = new double[SEEDS];
        for (int s = 0; s < SEEDS; s++) {
            bayes[s] = run(new BayesStrategy(s), p, s, 60)[0];
            random[s] = run(new RandomStrategy(s), p, s, 2000)[0];
        }
        System.out.printf("%s: trials to target, bayes %s, random %s%n", name, Arrays.toString(bayes),
                Arrays.toString(random));
        return new double[] {median(bayes), median(random)};
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @Test
    void beatsRandomSearchOnBranin() {
        double[] m = compare("Branin <= 0.5", new Problem(2, BayesStrategyTest::branin, 0, 0.5));
        assertThat(m[0]).isLessThan(m[1] / 3);
        assertThat(m[0]).isLessThanOrEqualTo(30);
    }

    @Test
    void beatsRandomSearchOnHartmann3() {
        double[] m = compare("Hartmann-3 <= -3.8", new Problem(3, BayesStrategyTest::hartmann3, 0, -3.8));
        assertThat(m[0]).isLessThan(m[1] / 3);
        assertThat(m[0]).isLessThanOrEqualTo(30);
    }

    @Test
    void beatsRandomSearchOnANoisyMultimodalFunction() {
        double[] m = compare("Forrester + N(0, 2²) noise, true value <= -6.0",
                new Problem(1, BayesStrategyTest::forrester, 2.0, -6.0));
        assertThat(m[0]).isLessThan(m[1] / 2);
    }

    @Test
    void learnsToAvoidARegionWhereTrialsFail() {
        ToDoubleFunction<double[]> failing = u -> u[0] > 0.9 ? Double.NaN : branin(u);
        double[] m = compare("Branin failing for x1 > 8.5, <= 0.5", new Problem(2, failing, 0, 0.5));
        assertThat(m[0]).isLessThan(m[1] / 3);
        assertThat(m[0]).isLessThanOrEqualTo(30);
    }

    @Test
    void findsBetterPointsThanRandomSearchInTwelveTrials() {
        ToDoubleFunction<double[]> failing = u -> u[0] > 0.9 ? Double.NaN : branin(u);
        List<Problem> problems = List.of(new Problem(2, BayesStrategyTest::branin, 0, 0.5),
                new Problem(3, BayesStrategyTest::hartmann3, 0, -3.8),
                new Problem(1, BayesStrategyTest::forrester, 2.0, -6.0), new Problem(2, failing, 0, 0.5));
        List<String> names = List.of("Branin", "Hartmann-3", "noisy Forrester", "failing Branin");
        int seeds = 31;
        for (int k = 0; k < problems.size(); k++) {
            double[] bayes = new double[seeds], random = new double[seeds];
            int wins = 0;
            for (int s = 0; s < seeds; s++) {
                bayes[s] = run(new BayesStrategy(s), problems.get(k), s, 12)[1];
                random[s] = run(new RandomStrategy(s), problems.get(k), s, 12)[1];
                wins += bayes[s] < random[s] ? 1 : 0;
            }
            System.out.printf("%s, best true value in 12 trials: median bayes %.4f, random %.4f; bayes better for %d "
                    + "of %d seeds%n", names.get(k), median(bayes), median(random), wins, seeds);
            assertThat(median(bayes)).as(names.get(k)).isLessThan(median(random));
            assertThat(wins).as(names.get(k)).isGreaterThan(seeds / 2);
        }
    }

    @Test
    void startsWithALatinHypercubeAndIsDeterministic() {
        int n0 = BayesStrategy.initialTrials(2);
        assertThat(n0).isEqualTo(5);
        assertThat(BayesStrategy.initialTrials(4)).isEqualTo(8);
        List<Strategy.Observation> done = new ArrayList<>();
        boolean[][] strata = new boolean[2][n0];
        for (int t = 0; t < n0; t++) {
            double[] u = new BayesStrategy(3).next(2, done, t);
            strata[0][(int) (u[0] * n0)] = strata[1][(int) (u[1] * n0)] = true;
            done.add(new Strategy.Observation(u, branin(u)));
        }
        assertThat(strata[0]).containsOnly(true);
        assertThat(strata[1]).containsOnly(true);
        assertThat(new BayesStrategy(3).next(2, done, n0)).isEqualTo(new BayesStrategy(3).next(2, done, n0));
        assertThat(new BayesStrategy(4).next(2, List.of(), 0)).isNotEqualTo(new BayesStrategy(3).next(2, List.of(), 0));
    }

    @Test
    void failedTrialsCountAsTheWorstFiniteObjective() {
        List<Strategy.Observation> done = List.of(new Strategy.Observation(new double[] {0.1}, 0.3),
                new Strategy.Observation(new double[] {0.2}, Double.NaN),
                new Strategy.Observation(new double[] {0.3}, 0.7),
                new Strategy.Observation(new double[] {0.4}, Double.POSITIVE_INFINITY));
        assertThat(BayesStrategy.imputed(done)).extracting(Strategy.Observation::objective)
                .containsExactly(0.3, 0.7, 0.7, 0.7);
        assertThat(BayesStrategy.imputed(List.of(new Strategy.Observation(new double[] {0.2}, Double.NaN)))).isEmpty();
        // with nothing finite to model, the proposal after the initial design is a random point
        List<Strategy.Observation> failed = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            failed.add(new Strategy.Observation(new BayesStrategy(1).next(1, failed, t), Double.NaN));
        }
        assertThat(new BayesStrategy(1).next(1, failed, 5)).isEqualTo(RandomStrategy.uniform(1, 5, 1));
    }
}
