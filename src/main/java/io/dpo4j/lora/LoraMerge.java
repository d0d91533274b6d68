package io.dpo4j.lora;

import io.dpo4j.artifacts.LoraSection;

/**
 * Folds a trained adapter into its base weight as PEFT's {@code merge_and_unload} does: {@code W' = W + s · ΔW} with
 * {@code s = alpha / r} and {@code ΔW = B A} ((out, in), for {@code nn.Linear} weights stored (out, in)) or its
 * transpose (GPT-2's Conv1D, weights stored (in, out): PEFT's {@code fan_in_fan_out}). The r-term dot products are
 * summed in double, {@code s · ΔW} is rounded to float and added to the float weight.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /**
     * @param base    the base weight, row-major in {@link LoraSection.Adapter#baseShape()}
     * @param a       A, row-major (r, in)
     * @param b       B, row-major (out, r)
     * @param adapter the adapted module's widths and layout
     * @param r       rank
     * @param scaling alpha / r
     * @return a new array: the merged weight in the base's layout
     */
    public static float[] merge(float[] base, float[] a, float[] b, LoraSection.Adapter adapter, int r, double scaling) {
        int in = adapter.inFeatures();
        int out = adapter.outFeatures();
        require(base.length == (long) in * out, "base weight " + adapter.base(), (long) in * out, base.length);
        require(a.length == (long) r * in, "lora_A " + adapter.loraA(), (long) r * in, a.length);
        require(b.length == (long) out * r, "lora_B " + adapter.loraB(), (long) out * r, b.length);
        float[] merged = base.clone();
        double[] row = new double[in];  // (in) ΔW row o
        for (int o = 0; o < out; o++) {
            java.util.Arrays.fill(row, 0);
            for (int k = 0; k < r; k++) {
                double bk = b[o * r + k];
                int ak = k * in;
                for (int i = 0; i < in; i++) {
                    row[i] += bk * a[ak + i];
                }
            }
            for (int i = 0; i < in; i++) {
                int idx = adapter.fanInFanOut() ? i * out + o : o * in + i;
                merged[idx] = base[idx] + (float) (scaling * row[i]);
            }
        }
        return merged;
    }

    private static void require(boolean ok, String what, long expected, long found) {
        if (!ok) {
            throw new IllegalArgumentException(what + ": expected " + expected + " values, found " + found);
        }
    }
}
