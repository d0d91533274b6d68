package io.dpo4j.verify;

/**
 * Element-wise comparison of a measured quantity with its golden value, reporting the worst element.
 * Relative errors are {@code |found − expected| / |scale|} with the scale defaulting to {@code |expected|}, as
 * tools/parity/golden_parity.py measures them.
 */
final class Tolerance {
    private Tolerance() {}

    /** @return a check that every element is within {@code tol} relative error */
    static CheckResult relative(String name, double[] found, double[] expected, double[] scale, double tol) {
        requireSameLength(name, found, expected);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < found.length; i++) {
            double s = Math.abs(scale == null ? expected[i] : scale[i]);
            double err = Math.abs(found[i] - expected[i]) / Math.max(s, Double.MIN_NORMAL);
            if (err > worst || Double.isNaN(err)) {
                worst = err;
                at = i;
            }
        }
        return result(name, "relative", worst, tol, at, found, expected);
    }

    /** @return a check that every element is within {@code tol} absolute error */
    static CheckResult absolute(String name, double[] found, double[] expected, double tol) {
        requireSameLength(name, found, expected);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < found.length; i++) {
            double err = Math.abs(found[i] - expected[i]);
            if (err > worst || Double.isNaN(err)) {
                worst = err;
                at = i;
            }
        }
        return result(name, "absolute", worst, tol, at, found, expected);
    }

    private static CheckResult result(String name, String kind, double worst, double tol, int at, double[] found,
                                      double[] expected) {
        boolean ok = worst <= tol;
        String detail = String.format("max %s error %.3g (tolerance %.0e) at [%d]: found %s, expected %s", kind, worst,
                tol, at, found.length == 0 ? "-" : found[at], expected.length == 0 ? "-" : expected[at]);
        return new CheckResult(name, ok && found.length > 0, found.length == 0 ? "nothing to compare" : detail);
    }

    private static void requireSameLength(String name, double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException(name + ": expected " + b.length + " values, found " + a.length);
        }
    }

    /** @return the floats widened to doubles */
    static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
