package io.dpo4j.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Learning rate per optimizer step, as Hugging Face's {@code get_*_schedule_with_warmup}: linear warmup from 0 over
 * {@code warmupSteps}, then constant, linear decay to 0, or half-cosine decay to 0 at {@code totalSteps}. A pure
 * function of the step, so a resumed run sees the same rates as an uninterrupted one.
 *
 * @param kind        shape after warmup
 * @param peak        peak learning rate (&gt; 0)
 * @param warmupSteps warmup optimizer steps (≥ 0)
 * @param totalSteps  total optimizer steps (≥ 1)
 */
public record LrSchedule(Kind kind, double peak, long warmupSteps, long totalSteps) {
    /** Schedule shapes. */
    public enum Kind {
        /** Constant after warmup. */
        CONSTANT,
        /** Linear decay to 0. */
        LINEAR,
        /** Half-cosine decay to 0. */
        COSINE;

        /** Parses {@code constant|linear|cosine}, listing the valid names otherwise. */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(s.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown lr schedule '" + s + "'; valid: "
                    + Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }

    /** Validates the arguments. */
    public LrSchedule {
        if (!(peak > 0) || !Double.isFinite(peak)) {
            throw new IllegalArgumentException("learning rate: expected a finite value > 0, found " + peak);
        }
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("schedule: expected warmup >= 0 and total >= 1, found " + warmupSteps + ", " + totalSteps);
        }
    }

    /** @return the learning rate for optimizer step {@code step} (0-based) */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (kind) {
            case CONSTANT -> peak;
            case LINEAR -> peak * Math.max(0.0, 1.0 - progress);
            case COSINE -> peak * Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }
}
