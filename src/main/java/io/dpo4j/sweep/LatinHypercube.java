package io.dpo4j.sweep;

import java.util.SplittableRandom;

/**
 * A space-filling initial design: the maximin Latin hypercube of scikit-optimize's {@code Lhs(criterion="maximin")}
 * (McKay et al. 1979; Morris and Mitchell 1995): n points, each dimension cut into n equal strata with exactly one
 * point per stratum (at a random position inside it), the best of {@value #CANDIDATES} random such designs by the
 * smallest distance between two of its points. Unlike n independent uniform points, no two land close together and no
 * stretch of any parameter's range is left empty, so the first model sees the whole space.
 */
final class LatinHypercube {
    private static final int CANDIDATES = 1000;

    private LatinHypercube() {}

    /** @return the design's n points in [0, 1]^dims (rows in a seeded order), a pure function of the arguments */
    static double[][] maximin(int n, int dims, SplittableRandom r) {
        double[][] best = null;
        double bestDistance = -1;
        for (int c = 0; c < CANDIDATES; c++) {
            double[][] design = random(n, dims, r);
            double dist = minDistance(design);
            if (dist > bestDistance) {
                bestDistance = dist;
                best = design;
            }
        }
        return best;
    }

    /** @return one random Latin hypercube of n points (n, dims) */
    static double[][] random(int n, int dims, SplittableRandom r) {
        double[][] u = new double[n][dims]; // (n, d)
        for (int d = 0; d < dims; d++) {
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) { // Fisher–Yates
                int j = r.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int i = 0; i < n; i++) {
                u[i][d] = (perm[i] + r.nextDouble()) / n;
            }
        }
        return u;
    }

    /** @return the smallest Euclidean distance between two rows (+∞ for one row) */
    static double minDistance(double[][] u) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < u.length; i++) {
            for (int j = 0; j < i; j++) {
                double s = 0;
                for (int d = 0; d < u[i].length; d++) {
                    s += (u[i][d] - u[j][d]) * (u[i][d] - u[j][d]);
                }
                best = Math.min(best, Math.sqrt(s));
            }
        }
        return best;
    }
}
