package io.dpo4j.sweep;

import java.util.function.ToDoubleFunction;

/**
 * Derivative-free local minimisation inside a box: the Nelder–Mead simplex method with the standard coefficients
 * (reflection 1, expansion 2, contraction ½, shrink ½; Lagarias et al. 1998). Points outside the box are clamped to
 * it before evaluation, so the function is only ever evaluated inside. Deterministic.
 */
final class NelderMead {
    private NelderMead() {}

    /**
     * @param f        function to minimise
     * @param start    starting point (clamped to the box)
     * @param step     initial simplex edge per coordinate
     * @param lo       lower bounds
     * @param hi       upper bounds
     * @param maxEvals evaluation budget
     * @return the best point found (inside the box)
     */
    static double[] minimize(ToDoubleFunction<double[]> f, double[] start, double[] step, double[] lo, double[] hi,
                             int maxEvals) {
        int n = start.length;
        double[][] p = new double[n + 1][]; // (n+1, n) simplex vertices
        double[] v = new double[n + 1]; // (n+1) their values
        p[0] = clamp(start, lo, hi);
        for (int i = 0; i < n; i++) {
            double[] q = p[0].clone();
            q[i] += q[i] + step[i] <= hi[i] ? step[i] : -step[i]; // stay inside when the start is on the upper bound
            p[i + 1] = clamp(q, lo, hi);
        }
        int evals = 0;
        for (int i = 0; i <= n; i++) {
            v[i] = value(f, p[i]);
            evals++;
        }
        while (evals < maxEvals) {
            sort(p, v);
            if (Math.abs(v[n] - v[0]) <= 1e-10 * (Math.abs(v[0]) + 1e-10) && spread(p) < 1e-9) {
                break;
            }
            double[] c = new double[n]; // centroid of all but the worst
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    c[j] += p[i][j] / n;
                }
            }
            double[] r = clamp(towards(c, p[n], -1), lo, hi);
            double vr = value(f, r);
            evals++;
            if (vr < v[0]) {
                double[] e = clamp(towards(c, p[n], -2), lo, hi);
                double ve = value(f, e);
                evals++;
                p[n] = ve < vr ? e : r;
                v[n] = Math.min(ve, vr);
            } else if (vr < v[n - 1]) {
                p[n] = r;
                v[n] = vr;
            } else {
                boolean outside = vr < v[n];
                double[] k = clamp(towards(c, outside ? r : p[n], 0.5), lo, hi);
                double vk = value(f, k);
                evals++;
                if (vk < (outside ? vr : v[n])) {
                    p[n] = k;
                    v[n] = vk;
                } else {
                    for (int i = 1; i <= n; i++) { // shrink towards the best
                        p[i] = clamp(towards(p[0], p[i], 0.5), lo, hi);
                        v[i] = value(f, p[i]);
                        evals++;
                    }
                }
            }
        }
        sort(p, v);
        return p[0];
    }

    /** @return c + t·(x − c) */
    private static double[] towards(double[] c, double[] x, double t) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            out[i] = c[i] + t * (x[i] - c[i]);
        }
        return out;
    }

    private static double value(ToDoubleFunction<double[]> f, double[] x) {
        double v = f.applyAsDouble(x);
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }

    private static double[] clamp(double[] x, double[] lo, double[] hi) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.min(hi[i], Math.max(lo[i], x[i]));
        }
        return out;
    }

    private static void sort(double[][] p, double[] v) { // insertion sort by value, stable
        for (int i = 1; i < v.length; i++) {
            for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
                double t = v[j];
                v[j] = v[j - 1];
                v[j - 1] = t;
                double[] q = p[j];
                p[j] = p[j - 1];
                p[j - 1] = q;
            }
        }
    }

    private static double spread(double[][] p) {
        double s = 0;
        for (int i = 1; i < p.length; i++) {
            for (int j = 0; j < p[0].length; j++) {
                s = Math.max(s, Math.abs(p[i][j] - p[0][j]));
            }
        }
        return s;
    }
}
