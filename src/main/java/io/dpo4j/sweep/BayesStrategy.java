package io.dpo4j.sweep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Bayesian optimisation with literature defaults, each chosen on known functions (see {@code StrategyTest}):
 * <ol>
 *   <li>initial design: the first {@code max(5, 2·dims)} trials (Ax's count of Sobol trials before the model) are a
 *       maximin {@link LatinHypercube}, so the first model sees the whole space;</li>
 *   <li>failed trials (a non-finite objective: a diverged run) count as the worst finite objective so far, so the
 *       model learns to avoid their region (dropped, the model keeps proposing there);</li>
 *   <li>objectives warped by a {@link PowerTransform} (HEBO's output warping), then a {@link GaussianProcess}
 *       (BoTorch's Matérn-5/2 ARD model with priors, noise fitted);</li>
 *   <li>expected improvement (Jones et al. 1998) over the best posterior mean at a tried point (the plug-in
 *       incumbent for noisy objectives, Picheny et al. 2013) with margin ξ = 0.01 (GPyOpt's and scikit-optimize's
 *       default, here in standardised units), maximised over {@value #CANDIDATES} seeded uniform candidates plus
 *       perturbations of the best points, the best {@value #REFINE_STARTS} refined by Nelder–Mead (as
 *       scikit-optimize refines its best candidates by L-BFGS).</li>
 * </ol>
 * Deterministic in (seed, history, trial).
 *
 * @param seed seed of the initial design and of the candidates
 */
record BayesStrategy(long seed) implements Strategy {
    private static final int CANDIDATES = 2000;
    private static final int LOCAL_PER_BEST = 200;
    private static final int REFINE_STARTS = 5;
    private static final double XI = 0.01;

    @Override
    public double[] next(int dims, List<Observation> done, int trial) {
        int n0 = initialTrials(dims);
        if (trial < n0) {
            return LatinHypercube.maximin(n0, dims, RandomStrategy.stream(seed ^ 0x4c4853L, 0))[trial];
        }
        List<Observation> obs = imputed(done);
        if (obs.size() < 2) { // nothing to model yet (trials still running with --jobs, or all failed)
            return RandomStrategy.uniform(seed, trial, dims);
        }
        double[][] x = new double[obs.size()][]; // (n, d)
        double[] y = new double[obs.size()]; // (n)
        for (int i = 0; i < x.length; i++) {
            x[i] = obs.get(i).point();
            y[i] = obs.get(i).objective();
        }
        double[] z = PowerTransform.warp(y); // (n) standardised
        GaussianProcess gp = GaussianProcess.fit(x, z);
        double incumbent = Double.POSITIVE_INFINITY;
        for (double[] p : x) {
            incumbent = Math.min(incumbent, gp.predict(p)[0]);
        }
        double best = incumbent;
        ToDoubleFunction<double[]> negEi = c -> {
            double[] ms = gp.predict(c);
            return -expectedImprovement(best, ms[0], ms[1], XI);
        };
        return maximise(negEi, candidates(dims, obs, trial), dims);
    }

    /** @return trials of the initial design, before the model is used */
    static int initialTrials(int dims) {
        return Math.max(5, 2 * dims);
    }

    /** E[max(best − f − ξ, 0)] for f ~ N(mu, sigma²) (minimisation). */
    static double expectedImprovement(double best, double mu, double sigma, double xi) {
        double gain = best - mu - xi;
        if (sigma <= 0) {
            return Math.max(gain, 0);
        }
        double z = gain / sigma;
        return gain * Normal.cdf(z) + sigma * Normal.pdf(z);
    }

    /**
     * @return {@code done} with each non-finite objective replaced by the worst finite one (empty when none is
     *     finite)
     */
    static List<Observation> imputed(List<Observation> done) {
        double worst = Double.NEGATIVE_INFINITY;
        for (Observation o : done) {
            if (Double.isFinite(o.objective())) {
                worst = Math.max(worst, o.objective());
            }
        }
        List<Observation> out = new ArrayList<>();
        if (worst == Double.NEGATIVE_INFINITY) {
            return out;
        }
        for (Observation o : done) {
            out.add(Double.isFinite(o.objective()) ? o : new Observation(o.point(), worst));
        }
        return out;
    }

    /** @return the candidate minimising f after refining the best few with Nelder–Mead inside the unit cube */
    private static double[] maximise(ToDoubleFunction<double[]> f, List<double[]> candidates, int dims) {
        double[] values = new double[candidates.size()];
        Integer[] order = new Integer[candidates.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = f.applyAsDouble(candidates.get(i));
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] lo = new double[dims], hi = new double[dims], step = new double[dims];
        Arrays.fill(hi, 1);
        Arrays.fill(step, 0.02);
        double[] choice = candidates.get(order[0]);
        double bestValue = values[order[0]];
        for (int k = 0; k < Math.min(REFINE_STARTS, order.length); k++) {
            double[] p = NelderMead.minimize(f, candidates.get(order[k]), step, lo, hi, 100 * dims);
            double v = f.applyAsDouble(p);
            if (v < bestValue) {
                bestValue = v;
                choice = p;
            }
        }
        return choice;
    }

    private List<double[]> candidates(int dims, List<Observation> obs, int trial) {
        SplittableRandom r = RandomStrategy.stream(~seed, trial); // not the stream of the initial design
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < CANDIDATES; i++) {
            double[] u = new double[dims];
            for (int d = 0; d < dims; d++) {
                u[d] = r.nextDouble();
            }
            out.add(u);
        }
        List<Observation> top = new ArrayList<>(obs);
        top.sort(Comparator.comparingDouble(Observation::objective));
        for (Observation o : top.subList(0, Math.min(3, top.size()))) {
            for (int i = 0; i < LOCAL_PER_BEST; i++) {
                double[] u = new double[dims];
                for (int d = 0; d < dims; d++) {
                    u[d] = Math.min(1, Math.max(0, o.point()[d] + 0.05 * gaussian(r)));
                }
                out.add(u);
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = Math.max(r.nextDouble(), 1e-300);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
