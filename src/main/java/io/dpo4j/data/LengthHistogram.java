package io.dpo4j.data;

import java.util.Arrays;
import java.util.Locale;

/** Token-length statistics: count, min, median, mean, max and power-of-two buckets, printable as text. */
public final class LengthHistogram {

    private final String name;
    private int[] values = new int[64];
    private int n;

    /** An empty histogram labelled {@code name}. */
    public LengthHistogram(String name) {
        this.name = name;
    }

    /** Records one length. */
    public void add(int length) {
        if (length < 0) {
            throw new IllegalArgumentException(name + ": expected a length >= 0, found " + length);
        }
        if (n == values.length) {
            values = Arrays.copyOf(values, n * 2);
        }
        values[n++] = length;
    }

    /** Number of recorded lengths. */
    public int count() {
        return n;
    }

    /** Counts per bucket {@code [0,1], [2,3], [4,7], [8,15], ...}: bucket k holds lengths with bit length k. */
    public long[] buckets() {
        long[] out = new long[33];
        for (int i = 0; i < n; i++) {
            out[Math.max(0, 32 - Integer.numberOfLeadingZeros(values[i]) - 1)]++;
        }
        return out;
    }

    /** Multi-line text: summary line plus one bar per non-empty bucket. */
    public String render() {
        StringBuilder b = new StringBuilder();
        if (n == 0) {
            return b.append(name).append(": no sequences\n").toString();
        }
        int[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).asDoubleStream().average().orElse(0);
        b.append(String.format(Locale.ROOT, "%s tokens: n=%d min=%d median=%d mean=%.1f max=%d%n", name, n, sorted[0],
                sorted[n / 2], mean, sorted[n - 1]));
        long[] buckets = buckets();
        long most = Arrays.stream(buckets).max().orElse(1);
        for (int k = 0; k < buckets.length; k++) {
            if (buckets[k] == 0) {
                continue;
            }
            long lo = k == 0 ? 0 : 1L << k;
            long hi = (1L << (k + 1)) - 1;
            int bar = (int) Math.max(1, Math.round(40.0 * buckets[k] / most));
            b.append(String.format(Locale.ROOT, "  %6d-%-6d %7d %s%n", lo, hi, buckets[k], "#".repeat(bar)));
        }
        return b.toString();
    }
}
