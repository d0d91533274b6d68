package io.dpo4j.dpo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The loss variants the exported graph can switch between at run time; the ordinal is the index into the graph's
 * {@code loss_mix} input (tools/CONTRACT.md).
 */
public enum LossVariant {
    /** DPO, Rafailov et al. 2023 eq. 7, with cDPO label smoothing, soft labels and the R-DPO length term. */
    SIGMOID,
    /** Robust DPO, Chowdhury et al. 2024 eq. 9 (unbiased under label noise ε). */
    ROBUST,
    /** SLiC hinge loss, Zhao et al. 2023 eq. 3 ({@code relu(1 − z)}). */
    HINGE,
    /** IPO, Azar et al. 2023 eq. 17, on per-token average log-probs. */
    IPO,
    /** SimPO, Meng et al. 2024 eq. 6: reference-free, length-normalised, target margin γ. */
    SIMPO;

    /** @return the lowercase name used on the command line and in manifests */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a variant name.
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public static LossVariant parse(String s) {
        for (LossVariant v : values()) {
            if (v.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown loss variant '" + s + "'; valid: " + validNames());
    }

    /** @return the valid names, comma separated */
    public static String validNames() {
        return Arrays.stream(values()).map(LossVariant::id).collect(Collectors.joining(", "));
    }
}
