package io.dpo4j.dpo;

/**
 * Per-pair preference losses in float64: the specification the exported graph implements in float32
 * (tools/CONTRACT.md), used to cross-check the graph and for the published DPO test vectors.
 *
 * <p>With {@code h = (logp_w − ref_w) − (logp_l − ref_l)},
 * {@code z = β·h + α·(|y_w| − |y_l|) + λ·((|y_w| − L)² − (|y_l| − L)²)} and the soft label
 * {@code q = p(1−ε) + (1−p)ε}. The λ term is the target-length regulariser of iterative length-regularised DPO
 * (iLR-DPO, Liu et al. 2024, "Iterative Length-Regularized Direct Preference Optimization") in the form of dpo4j
 * issue 13 item 4; like R-DPO's α term (Park et al. 2024, eq. 9) it enters z, so it acts on sigmoid, robust and hinge
 * (IPO and SimPO have their own margins). A chosen answer farther from L than the rejected one raises z, so less
 * gradient pushes toward it.
 */
public final class PreferenceLoss {
    private PreferenceLoss() {}

    /**
     * The unweighted loss of every pair, with RPO's NLL term (Pang et al. 2024, eq. 1) as TRL computes it: the mean
     * NLL over all chosen completion tokens of the batch, carried as each pair's share
     * {@code −logp_w_i · B / Σ_j |y_w_j|} so that {@link #batchLoss} gives {@code mean_i(w_i·loss_i) + α·NLL}.
     *
     * @return per-pair losses  (B)
     */
    public static double[] pairLosses(LossConfig cfg, PairLogps x) {
        double[] out = new double[x.size()]; // (B)
        double chosenTokens = 0;
        for (int i = 0; i < out.length; i++) {
            chosenTokens += x.lenChosen()[i];
        }
        for (int i = 0; i < out.length; i++) {
            double nllShare = -x.policyChosen()[i] * out.length / chosenTokens;
            out[i] = pairLoss(cfg, x, i) + cfg.rpoAlpha() * nllShare;
        }
        return out;
    }

    /** @return the batch loss {@code mean_i(w_i · loss_i)} */
    public static double batchLoss(double[] pairLosses, double[] weights) {
        double sum = 0;
        for (int i = 0; i < pairLosses.length; i++) {
            sum += weights[i] * pairLosses[i];
        }
        return sum / pairLosses.length;
    }

    static double pairLoss(LossConfig cfg, PairLogps x, int i) {
        double beta = cfg.beta();
        double eps = cfg.labelSmoothing();
        double refW = cfg.referenceFree() ? 0 : x.refChosen()[i];
        double refL = cfg.referenceFree() ? 0 : x.refRejected()[i];
        double lenW = x.lenChosen()[i];
        double lenL = x.lenRejected()[i];
        double h = (x.policyChosen()[i] - refW) - (x.policyRejected()[i] - refL);
        double z = beta * h + cfg.lengthAlpha() * (lenW - lenL) + lengthMargin(cfg, lenW, lenL);
        double q = x.prefProb()[i] * (1 - eps) + (1 - x.prefProb()[i]) * eps;
        double loss = switch (cfg.variant()) {
            // DPO (Rafailov et al. 2023, eq. 7) with soft label q (cDPO, Mitchell 2023) and R-DPO's α term.
            case SIGMOID -> -q * logSigmoid(z) - (1 - q) * logSigmoid(-z);
            // rDPO (Chowdhury et al. 2024, eq. 9).
            case ROBUST -> (-(1 - eps) * logSigmoid(z) + eps * logSigmoid(-z)) / (1 - 2 * eps);
            // SLiC-HF hinge (Zhao et al. 2023, eq. 3 with δ = 1, as TRL).
            case HINGE -> Math.max(0, 1 - z);
            // IPO (Azar et al. 2023, eq. 17) on per-token averages.
            case IPO -> {
                double hAvg = (x.policyChosen()[i] - refW) / lenW - (x.policyRejected()[i] - refL) / lenL;
                double d = hAvg - 1 / (2 * beta);
                yield d * d;
            }
            // SimPO (Meng et al. 2024, eq. 6), label smoothing as TRL's CPO trainer.
            case SIMPO -> {
                double zs = beta * (x.policyChosen()[i] / lenW - x.policyRejected()[i] / lenL) - cfg.simpoGamma();
                yield -q * logSigmoid(zs) - (1 - q) * logSigmoid(-zs);
            }
        };
        return loss;
    }

    /** @return iLR-DPO's {@code λ·((|y_w| − L)² − (|y_l| − L)²)}; 0 when λ = 0 */
    static double lengthMargin(LossConfig cfg, double lenW, double lenL) {
        double dw = lenW - cfg.lengthTarget();
        double dl = lenL - cfg.lengthTarget();
        return cfg.lengthLambda() * (dw * dw - dl * dl);
    }

    /** @return log σ(x), stable for large |x| */
    public static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }

    /**
     * TRL's rewards of one side: β·(logp − ref), or β·logp/|y| for SimPO, or on per-token averages for IPO. A
     * log-ratio {@code logp − ref} within float32 rounding of the sums ({@link #tieTolerance}) is 0: the reference
     * pass and the training step batch the same sequence differently, and float32 sums of the same log-probs then
     * differ in the last places, so at the first step (policy = reference) rewards are exactly 0 as in TRL.
     *
     * @return rewards  (B)
     */
    public static double[] rewards(LossConfig cfg, double[] policy, double[] ref, double[] len) {
        double[] r = new double[policy.length]; // (B)
        for (int i = 0; i < r.length; i++) {
            double refI = cfg.referenceFree() ? 0 : ref[i];
            double ratio = policy[i] - refI;
            if (!cfg.referenceFree() && Math.abs(ratio) <= tieTolerance(policy[i], refI, len[i])) {
                ratio = 0;
            }
            r[i] = switch (cfg.variant()) {
                case SIMPO -> cfg.beta() * policy[i] / len[i];
                case IPO -> cfg.beta() * ratio / len[i];
                default -> cfg.beta() * ratio;
            };
        }
        return r;
    }

    /**
     * The largest difference between two float32 sums of the same {@code tokens} log-probs that rounding explains:
     * {@code 2·√n} units in the last place of the larger sum (measured differences between batchings: 1–2 ulps).
     */
    public static double tieTolerance(double policy, double ref, double tokens) {
        float larger = (float) Math.max(Math.abs(policy), Math.abs(ref));
        return 2 * Math.sqrt(Math.max(1, tokens)) * Math.ulp(larger);
    }
}
