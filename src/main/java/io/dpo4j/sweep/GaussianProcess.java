package io.dpo4j.sweep;

/**
 * A Gaussian-process regression on the unit hypercube: squared-exponential kernel with one length scale and a noise
 * level (both chosen by maximum marginal likelihood over fixed grids: training objectives are noisy), unit signal
 * variance on standardised targets. Solved by Cholesky decomposition; meant for the tens of points a sweep has.
 */
final class GaussianProcess {
    private static final double[] LENGTH_SCALES = {0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.7, 1.0, 1.5};
    private static final double[] NOISES = {1e-6, 1e-4, 1e-2, 0.05, 0.2};

    private final double[][] x; // (n, d) training points
    private final double mean, scale; // target standardisation
    private final double lengthScale;
    private final double[][] chol; // (n, n) lower Cholesky factor of K + noise·I
    private final double[] alpha; // (n) (K + noise·I)^-1 · y_standardised

    private GaussianProcess(double[][] x, double mean, double scale, double lengthScale, double[][] chol,
                            double[] alpha) {
        this.x = x;
        this.mean = mean;
        this.scale = scale;
        this.lengthScale = lengthScale;
        this.chol = chol;
        this.alpha = alpha;
    }

    /** Fits to points {@code x} (n, d) with targets {@code y} (n), choosing length scale and noise by likelihood. */
    static GaussianProcess fit(double[][] x, double[] y) {
        int n = y.length;
        double mean = 0;
        for (double v : y) {
            mean += v / n;
        }
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean) / n;
        }
        double scale = var > 0 ? Math.sqrt(var) : 1;
        double[] ys = new double[n]; // (n)
        for (int i = 0; i < n; i++) {
            ys[i] = (y[i] - mean) / scale;
        }
        GaussianProcess best = null;
        double bestLik = Double.NEGATIVE_INFINITY;
        for (double l : LENGTH_SCALES) {
            for (double noise : NOISES) {
                double[][] chol = cholesky(kernelMatrix(x, l, noise));
                double[] alpha = solve(chol, ys);
                double lik = 0; // log marginal likelihood up to a constant: -½ yᵀα - Σ log L_ii
                for (int i = 0; i < n; i++) {
                    lik -= 0.5 * ys[i] * alpha[i] + Math.log(chol[i][i]);
                }
                if (lik > bestLik) {
                    bestLik = lik;
                    best = new GaussianProcess(x, mean, scale, l, chol, alpha);
                }
            }
        }
        return best;
    }

    /** @return {mean, standard deviation} of the prediction at {@code p}, in the targets' units */
    double[] predict(double[] p) {
        int n = x.length;
        double[] k = new double[n]; // (n)
        double mu = 0;
        for (int i = 0; i < n; i++) {
            k[i] = kernel(x[i], p, lengthScale);
            mu += k[i] * alpha[i];
        }
        double[] v = forward(chol, k); // L⁻¹k  (n)
        double var = 1.0; // variance of the latent function (the noise is not added: EI is about the function)
        for (double vi : v) {
            var -= vi * vi;
        }
        return new double[] {mean + scale * mu, scale * Math.sqrt(Math.max(var, 1e-12))};
    }

    private static double[][] kernelMatrix(double[][] x, double l, double noise) {
        int n = x.length;
        double[][] k = new double[n][n]; // (n, n)
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                k[i][j] = k[j][i] = kernel(x[i], x[j], l);
            }
            k[i][i] += noise;
        }
        return k;
    }

    static double kernel(double[] a, double[] b, double l) {
        double d2 = 0;
        for (int i = 0; i < a.length; i++) {
            d2 += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.exp(-0.5 * d2 / (l * l));
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
