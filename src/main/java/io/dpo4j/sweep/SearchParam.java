package io.dpo4j.sweep;

import java.util.Locale;

/**
 * One searched option: {@code name} (a {@code dpo4j train} option without dashes) over {@code [low, high]}, on a log
 * or linear scale, integer or real. Points are handled in the unit interval; {@link #value} maps them back.
 *
 * @param name    option name, e.g. {@code lr}
 * @param low     smallest value
 * @param high    largest value, > low
 * @param log     true: uniform in log(value) (needs low > 0)
 * @param integer true: values are rounded to integers
 */
public record SearchParam(String name, double low, double high, boolean log, boolean integer) {

    /** Validates the range. */
    public SearchParam {
        if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("--param: expected an option name like 'lr' or 'label-smoothing', found "
                    + name);
        }
        if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("--param " + name + ": expected finite low < high, found " + low
                    + ".." + high);
        }
        if (log && low <= 0) {
            throw new IllegalArgumentException("--param " + name + ": a log scale needs low > 0, found " + low);
        }
    }

    /**
     * Parses {@code name=low:high[:log|lin|int]} (default scale: log when both ends are > 0 and span a factor
     * ≥ 10, else linear).
     */
    public static SearchParam parse(String spec) {
        String[] nv = spec.split("=", 2);
        String[] parts = nv.length == 2 ? nv[1].split(":") : new String[0];
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("--param: expected NAME=LOW:HIGH[:log|lin|int], found '" + spec + "'");
        }
        double low = number(spec, parts[0]);
        double high = number(spec, parts[1]);
        String scale = parts.length == 3 ? parts[2].toLowerCase(Locale.ROOT)
                : low > 0 && high / low >= 10 ? "log" : "lin";
        return switch (scale) {
            case "log" -> new SearchParam(nv[0], low, high, true, false);
            case "lin" -> new SearchParam(nv[0], low, high, false, false);
            case "int" -> new SearchParam(nv[0], low, high, false, true);
            default -> throw new IllegalArgumentException("--param " + nv[0] + ": expected scale log, lin or int, "
                    + "found '" + parts[2] + "'");
        };
    }

    private static double number(String spec, String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--param: expected a number, found '" + s + "' in '" + spec + "'");
        }
    }

    /** @return the option value at unit coordinate {@code u} ∈ [0, 1] */
    public double value(double u) {
        double v = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
        return integer ? Math.round(v) : v;
    }

    /** @return the value as the command line gets it (integers without a fraction) */
    public String text(double u) {
        double v = value(u);
        return integer ? Long.toString((long) v) : Double.toString(v);
    }
}
