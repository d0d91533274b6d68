package io.dpo4j.sweep;

/** The standard normal density and distribution function (for expected improvement). */
final class Normal {
    private Normal() {}

    /** @return φ(z) */
    static double pdf(double z) {
        return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    }

    /** @return Φ(z) = ½·erfc(−z/√2), with a Chebyshev-fitted erfc of fractional error below 1.2e-7 */
    static double cdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** Complementary error function (Numerical Recipes' erfcc form; fractional error < 1.2e-7 everywhere). */
    static double erfc(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double r = t * Math.exp(poly);
        return x >= 0 ? r : 2 - r;
    }
}
