package io.dpo4j.dpo;

/**
 * Which preference loss to optimise and its coefficients; every field is fed to the graph at every step.
 *
 * @param variant        the loss variant
 * @param beta           β &gt; 0: KL strength (DPO), temperature (SimPO), 1/(2τ) target (IPO)
 * @param labelSmoothing ε in [0, 0.5): cDPO / robust DPO label noise
 * @param lengthAlpha    R-DPO α (Park et al. 2024 eq. 9): {@code + α(|y_w| − |y_l|)} inside the sigmoid; 0 = off
 * @param simpoGamma     SimPO target reward margin γ ≥ 0
 * @param rpoAlpha       weight ≥ 0 of the chosen NLL term (RPO, Pang et al. 2024 eq. 1); 0 = off
 * @param referenceFree  reference-free DPO: reference log-probs are taken as 0
 * @param lengthTarget   iLR-DPO target length L ≥ 0 in completion tokens (used when {@code lengthLambda} ≠ 0)
 * @param lengthLambda   iLR-DPO λ ≥ 0: {@code + λ((|y_w| − L)² − (|y_l| − L)²)} inside the sigmoid, like α (iterative
 *                       length-regularised DPO, Liu et al. 2024, in the form of dpo4j issue 13 item 4); 0 = off
 */
public record LossConfig(LossVariant variant, double beta, double labelSmoothing, double lengthAlpha,
                         double simpoGamma, double rpoAlpha, boolean referenceFree, double lengthTarget,
                         double lengthLambda) {

    /** Validates every coefficient; the message names the option and the value found. */
    public LossConfig {
        if (variant == null) {
            throw new IllegalArgumentException("loss variant: expected one of " + LossVariant.validNames() + ", found null");
        }
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta: expected a finite value > 0, found " + beta);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new IllegalArgumentException("label_smoothing: expected a value in [0, 0.5), found " + labelSmoothing);
        }
        if (!Double.isFinite(lengthAlpha)) {
            throw new IllegalArgumentException("length_alpha: expected a finite value, found " + lengthAlpha);
        }
        if (!(simpoGamma >= 0) || !Double.isFinite(simpoGamma)) {
            throw new IllegalArgumentException("simpo_gamma: expected a finite value >= 0, found " + simpoGamma);
        }
        if (!(rpoAlpha >= 0) || !Double.isFinite(rpoAlpha)) {
            throw new IllegalArgumentException("rpo_alpha: expected a finite value >= 0, found " + rpoAlpha);
        }
        if (!(lengthTarget >= 0) || !Double.isFinite(lengthTarget)) {
            throw new IllegalArgumentException("length_target: expected a finite value >= 0 (tokens), found "
                    + lengthTarget);
        }
        if (!(lengthLambda >= 0) || !Double.isFinite(lengthLambda)) {
            throw new IllegalArgumentException("length_lambda: expected a finite value >= 0 (0 = off), found "
                    + lengthLambda);
        }
    }

    /** A configuration without iLR-DPO's target-length term ({@code lengthTarget} = {@code lengthLambda} = 0). */
    public LossConfig(LossVariant variant, double beta, double labelSmoothing, double lengthAlpha, double simpoGamma,
                      double rpoAlpha, boolean referenceFree) {
        this(variant, beta, labelSmoothing, lengthAlpha, simpoGamma, rpoAlpha, referenceFree, 0.0, 0.0);
    }

    /** @return sigmoid DPO with β = 0.1 and every other term off (TRL's defaults) */
    public static LossConfig defaults() {
        return new LossConfig(LossVariant.SIGMOID, 0.1, 0.0, 0.0, 0.5, 0.0, false, 0.0, 0.0);
    }

    /** @return a copy with another variant */
    public LossConfig withVariant(LossVariant v) {
        return new LossConfig(v, beta, labelSmoothing, lengthAlpha, simpoGamma, rpoAlpha, referenceFree, lengthTarget,
                lengthLambda);
    }

    /**
     * @param target L, the target completion length in tokens (≥ 0)
     * @param lambda λ ≥ 0; 0 turns the term off
     * @return a copy with iLR-DPO's target-length term {@code λ((|y_w| − L)² − (|y_l| − L)²)}
     */
    public LossConfig withLengthTarget(double target, double lambda) {
        return new LossConfig(variant, beta, labelSmoothing, lengthAlpha, simpoGamma, rpoAlpha, referenceFree, target,
                lambda);
    }

    /** @return whether iLR-DPO's target-length term is on (the graph then needs its two inputs) */
    public boolean usesLengthTarget() {
        return lengthLambda != 0;
    }

    /** @return the graph's {@code loss_mix} input: one-hot over {@link LossVariant}  (K) */
    public float[] lossMix() {
        float[] mix = new float[LossVariant.values().length]; // (K)
        mix[variant.ordinal()] = 1f;
        return mix;
    }

    /** @return whether the variant uses reference log-probs at all */
    public boolean usesReference() {
        return variant != LossVariant.SIMPO && !referenceFree;
    }
}
