package io.dpo4j.sweep;

/**
 * Output warping before the Gaussian process, as HEBO does it (Cowen-Rivers et al. 2022, whose ablation found it the
 * component that mattered most): the objectives divided by their standard deviation, then Box–Cox (Box and Cox 1964)
 * when all are positive, else Yeo–Johnson (Yeo and Johnson 2000), with λ at its maximum-likelihood value as in
 * scikit-learn's {@code power_transform}, then standardised. Both families are monotone increasing, so the order of
 * the objectives, and the optimum, are kept; a λ below 1 compresses the long tail of bad trials (a diverged learning
 * rate) that would otherwise dominate the model's scale and flatten the good region. Falls back to the plain
 * standardised values when the transformed ones degenerate.
 */
final class PowerTransform {
    static final double MAX_LAMBDA = 5;

    private PowerTransform() {}

    /** @return the warped, standardised objectives (n), in the same order */
    static double[] warp(double[] y) {
        double sd = Math.sqrt(variance(y));
        if (!(sd > 0)) {
            return standardise(y);
        }
        double[] s = new double[y.length]; // (n)
        boolean positive = true;
        for (int i = 0; i < y.length; i++) {
            s[i] = y[i] / sd;
            positive &= s[i] > 0;
        }
        boolean boxCox = positive;
        double lambda = maxLikelihoodLambda(s, boxCox);
        double[] t = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            t[i] = boxCox ? boxCox(s[i], lambda) : yeoJohnson(s[i], lambda);
        }
        double[] out = standardise(t);
        for (double v : out) {
            if (!Double.isFinite(v)) {
                return standardise(y);
            }
        }
        return out;
    }

    /** @return λ ∈ [−{@value #MAX_LAMBDA}, {@value #MAX_LAMBDA}] maximising the profile log-likelihood */
    static double maxLikelihoodLambda(double[] s, boolean boxCox) {
        double best = 1, bestLlf = Double.NEGATIVE_INFINITY;
        double step = 0.05;
        for (double l = -MAX_LAMBDA; l <= MAX_LAMBDA + 1e-9; l += step) { // grid, then golden-section refinement
            double v = logLikelihood(s, l, boxCox);
            if (v > bestLlf) {
                bestLlf = v;
                best = l;
            }
        }
        double a = Math.max(-MAX_LAMBDA, best - step), b = Math.min(MAX_LAMBDA, best + step);
        double g = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 40; i++) {
            double c = b - g * (b - a), d = a + g * (b - a);
            if (logLikelihood(s, c, boxCox) > logLikelihood(s, d, boxCox)) {
                b = d;
            } else {
                a = c;
            }
        }
        double l = (a + b) / 2;
        return logLikelihood(s, l, boxCox) > bestLlf ? l : best;
    }

    /**
     * Profile log-likelihood of a normal model for the transformed values: −n/2·log σ̂²(λ) + (λ − 1)·Σ log y
     * (Box–Cox) or + (λ − 1)·Σ sign(y)·log(|y| + 1) (Yeo–Johnson), as SciPy's {@code boxcox_llf} and
     * {@code yeojohnson_llf} define it.
     */
    static double logLikelihood(double[] s, double lambda, boolean boxCox) {
        int n = s.length;
        double[] t = new double[n];
        double jac = 0;
        for (int i = 0; i < n; i++) {
            t[i] = boxCox ? boxCox(s[i], lambda) : yeoJohnson(s[i], lambda);
            jac += boxCox ? Math.log(s[i]) : Math.signum(s[i]) * Math.log1p(Math.abs(s[i]));
        }
        double var = variance(t);
        if (!(var > 0) || !Double.isFinite(var)) {
            return Double.NEGATIVE_INFINITY;
        }
        return -0.5 * n * Math.log(var) + (lambda - 1) * jac;
    }

    static double boxCox(double y, double lambda) {
        return Math.abs(lambda) < 1e-12 ? Math.log(y) : (Math.pow(y, lambda) - 1) / lambda;
    }

    static double yeoJohnson(double y, double lambda) {
        if (y >= 0) {
            return Math.abs(lambda) < 1e-12 ? Math.log1p(y) : (Math.pow(y + 1, lambda) - 1) / lambda;
        }
        return Math.abs(lambda - 2) < 1e-12 ? -Math.log1p(-y) : -(Math.pow(1 - y, 2 - lambda) - 1) / (2 - lambda);
    }

    private static double variance(double[] y) {
        double m = 0;
        for (double v : y) {
            m += v / y.length;
        }
        double s = 0;
        for (double v : y) {
            s += (v - m) * (v - m) / y.length;
        }
        return s;
    }

    private static double[] standardise(double[] y) {
        double m = 0;
        for (double v : y) {
            m += v / y.length;
        }
        double sd = Math.sqrt(variance(y));
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = sd > 0 ? (y[i] - m) / sd : 0;
        }
        return out;
    }
}
