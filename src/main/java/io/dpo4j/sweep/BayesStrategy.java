package io.dpo4j.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bayesian optimisation: after a few random trials, a {@link GaussianProcess} on the objectives so far and the next
 * point maximising expected improvement (Jones et al. 1998, eq. 15) over seeded random candidates plus perturbations
 * of the best points. Deterministic in (seed, history, trial).
 *
 * @param seed seed of the initial design and of the candidates
 */
record BayesStrategy(long seed) implements Strategy {
    private static final int CANDIDATES = 2000;
    private static final int LOCAL_PER_BEST = 200;
    private static final double XI = 0.01; // exploration margin, in standardised-objective units × scale

    @Override
    public double[] next(int dims, List<Observation> done, int trial) {
        if (done.size() < initialTrials(dims)) {
            return RandomStrategy.uniform(seed, trial, dims);
        }
        double[][] x = new double[done.size()][]; // (n, d)
        double[] y = new double[done.size()]; // (n)
        for (int i = 0; i < x.length; i++) {
            x[i] = done.get(i).point();
            y[i] = done.get(i).objective();
        }
        y = capAtMedian(y); // the model cares about the good region; outliers would flatten it
        GaussianProcess gp = GaussianProcess.fit(x, y);
        double best = Double.POSITIVE_INFINITY;
        for (double v : y) {
            best = Math.min(best, v);
        }
        double[] choice = null;
        double bestEi = Double.NEGATIVE_INFINITY;
        for (double[] c : candidates(dims, done, trial)) {
            double[] ms = gp.predict(c);
            double ei = expectedImprovement(best, ms[0], ms[1], XI * Math.max(1e-12, spread(y)));
            if (ei > bestEi) {
                bestEi = ei;
                choice = c;
            }
        }
        return choice;
    }

    /** @return trials proposed at random before the model is used */
    static int initialTrials(int dims) {
        return Math.max(4, 2 * dims);
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

    private List<double[]> candidates(int dims, List<Observation> done, int trial) {
        SplittableRandom r = RandomStrategy.stream(~seed, trial); // not the stream of the initial design
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < CANDIDATES; i++) {
            double[] u = new double[dims];
            for (int d = 0; d < dims; d++) {
                u[d] = r.nextDouble();
            }
            out.add(u);
        }
        List<Observation> top = new ArrayList<>(done);
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

    /** @return y with every value above the median replaced by the median (order among the better half kept) */
    static double[] capAtMedian(double[] y) {
        double[] sorted = y.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[(sorted.length - 1) / 2];
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = Math.min(y[i], median);
        }
        return out;
    }

    private static double spread(double[] y) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi - lo;
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = Math.max(r.nextDouble(), 1e-300);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
