package io.dpo4j.sweep;

/**
 * Gaussian-process regression on the unit hypercube with BoTorch's {@code SingleTaskGP} model (BoTorch ≤ 0.11,
 * Balandat et al. 2020): targets standardised, a Matérn-5/2 kernel with one length scale per dimension (ARD) times an
 * output scale, plus Gaussian noise, the hyper-parameters set to their maximum a posteriori values under BoTorch's
 * default priors: length scales Gamma(3, 6), output scale Gamma(2, 0.15), noise Gamma(1.1, 0.05), noise ≥ 1e-6.
 * With the few points of a sweep, the priors keep maximum likelihood from collapsing the length scales onto the data
 * (interpolating every wiggle) or stretching them to flatness; the fitted noise lets the model smooth a noisy
 * objective. The posterior is maximised by Nelder–Mead in log space from three deterministic starts. Solved by
 * Cholesky decomposition; meant for the tens of points a sweep has.
 */
final class GaussianProcess {
    static final double MIN_LENGTH = 0.01, MAX_LENGTH = 100, MIN_VAR = 1e-6, MAX_VAR = 1e3;
    private static final double SQRT5 = Math.sqrt(5);

    /**
     * Kernel hyper-parameters.
     *
     * @param lengths     length scale per dimension (unit-cube units)
     * @param outputScale variance of the latent function (standardised-target units)
     * @param noise       observation-noise variance (standardised-target units)
     */
    record Hyper(double[] lengths, double outputScale, double noise) {}

    private final double[][] x; // (n, d) training points
    private final double mean, scale; // target standardisation
    private final Hyper hyper;
    private final double[][] chol; // (n, n) lower Cholesky factor of K + noise·I
    private final double[] alpha; // (n) (K + noise·I)^-1 · y_standardised

    private GaussianProcess(double[][] x, double mean, double scale, Hyper hyper, double[][] chol, double[] alpha) {
        this.x = x;
        this.mean = mean;
        this.scale = scale;
        this.hyper = hyper;
        this.chol = chol;
        this.alpha = alpha;
    }

    /** Fits to points {@code x} (n, d) with targets {@code y} (n), hyper-parameters at their posterior mode. */
    static GaussianProcess fit(double[][] x, double[] y) {
        double[] ys = standardise(y); // (n)
        int d = x[0].length;
        double[] lo = new double[d + 2], hi = new double[d + 2], step = new double[d + 2];
        for (int i = 0; i < d; i++) {
            lo[i] = Math.log(MIN_LENGTH);
            hi[i] = Math.log(MAX_LENGTH);
        }
        lo[d] = lo[d + 1] = Math.log(MIN_VAR);
        hi[d] = hi[d + 1] = Math.log(MAX_VAR);
        java.util.Arrays.fill(step, 1.0);
        double[] best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        for (double l : new double[] {1.0 / 3, 0.1, 1.0}) { // prior mode, short, long
            double[] start = new double[d + 2]; // log(lengths), log(output scale), log(noise)
            java.util.Arrays.fill(start, 0, d, Math.log(l));
            start[d] = 0;
            start[d + 1] = Math.log(1e-2);
            double[] theta = NelderMead.minimize(t -> negLogPosterior(x, ys, t), start, step, lo, hi, 200 * (d + 2));
            double v = negLogPosterior(x, ys, theta);
            if (v < bestValue) {
                bestValue = v;
                best = theta;
            }
        }
        return withHyper(x, y, hyper(best, d));
    }

    /** @return the model on {@code x}, {@code y} with the given hyper-parameters */
    static GaussianProcess withHyper(double[][] x, double[] y, Hyper h) {
        double[] ys = standardise(y);
        double[][] chol = cholesky(kernelMatrix(x, h));
        double[] meanScale = meanScale(y);
        return new GaussianProcess(x, meanScale[0], meanScale[1], h, chol, solve(chol, ys));
    }

    /** @return the fitted hyper-parameters */
    Hyper hyper() {
        return hyper;
    }

    /** @return {mean, standard deviation} of the latent function at {@code p}, in the targets' units */
    double[] predict(double[] p) {
        int n = x.length;
        double[] k = new double[n]; // (n)
        double mu = 0;
        for (int i = 0; i < n; i++) {
            k[i] = kernel(x[i], p, hyper);
            mu += k[i] * alpha[i];
        }
        double[] v = forward(chol, k); // L⁻¹k  (n)
        double var = hyper.outputScale(); // the noise is not added: EI is about the function
        for (double vi : v) {
            var -= vi * vi;
        }
        return new double[] {mean + scale * mu, scale * Math.sqrt(Math.max(var, 1e-12))};
    }

    /** −log p(y | θ) − log p(θ) up to a constant; θ = (log lengths, log output scale, log noise). */
    static double negLogPosterior(double[][] x, double[] ys, double[] theta) {
        int d = x[0].length;
        Hyper h = hyper(theta, d);
        double[][] chol = cholesky(kernelMatrix(x, h));
        double[] alpha = solve(chol, ys);
        double nll = 0; // ½ yᵀα + Σ log L_ii
        for (int i = 0; i < ys.length; i++) {
            nll += 0.5 * ys[i] * alpha[i] + Math.log(chol[i][i]);
        }
        for (double l : h.lengths()) {
            nll -= logGamma(l, 3, 6);
        }
        return nll - logGamma(h.outputScale(), 2, 0.15) - logGamma(h.noise(), 1.1, 0.05);
    }

    /** log of the Gamma(shape, rate) density at v, up to a constant. */
    private static double logGamma(double v, double shape, double rate) {
        return (shape - 1) * Math.log(v) - rate * v;
    }

    private static Hyper hyper(double[] theta, int d) {
        double[] lengths = new double[d];
        for (int i = 0; i < d; i++) {
            lengths[i] = Math.exp(theta[i]);
        }
        return new Hyper(lengths, Math.exp(theta[d]), Math.exp(theta[d + 1]));
    }

    private static double[] meanScale(double[] y) {
        int n = y.length;
        double mean = 0;
        for (double v : y) {
            mean += v / n;
        }
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean) / n;
        }
        return new double[] {mean, var > 0 ? Math.sqrt(var) : 1};
    }

    /** @return y minus its mean, over its (population) standard deviation */
    static double[] standardise(double[] y) {
        double[] ms = meanScale(y);
        double[] ys = new double[y.length]; // (n)
        for (int i = 0; i < y.length; i++) {
            ys[i] = (y[i] - ms[0]) / ms[1];
        }
        return ys;
    }

    private static double[][] kernelMatrix(double[][] x, Hyper h) {
        int n = x.length;
        double[][] k = new double[n][n]; // (n, n)
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                k[i][j] = k[j][i] = kernel(x[i], x[j], h);
            }
            k[i][i] += h.noise();
        }
        return k;
    }

    /** Matérn-5/2 with ARD: s·(1 + √5 r + 5r²/3)·exp(−√5 r), r² = Σ ((a_i − b_i)/l_i)². */
    static double kernel(double[] a, double[] b, Hyper h) {
        double r2 = 0;
        for (int i = 0; i < a.length; i++) {
            double t = (a[i] - b[i]) / h.lengths()[i];
            r2 += t * t;
        }
        double r = Math.sqrt(r2);
        return h.outputScale() * (1 + SQRT5 * r + 5 * r2 / 3) * Math.exp(-SQRT5 * r);
    }

    /** @return L with L·Lᵀ = a (a symmetric positive definite) */
    static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n]; // (n, n)
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    l[i][i] = Math.sqrt(Math.max(s, 1e-12));
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    /** @return x with L·x = b */
    static double[] forward(double[][] l, double[] b) {
        int n = b.length;
        double[] x = new double[n]; // (n)
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    /** @return x with L·Lᵀ·x = b */
    static double[] solve(double[][] l, double[] b) {
        double[] y = forward(l, b);
        int n = b.length;
        double[] x = new double[n]; // (n)
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }
}
