package io.dpo4j.dpo;

/**
 * Per-pair preference losses in float64: the specification the exported graph implements in float32
 * (tools/CONTRACT.md), used to cross-check the graph and for the published DPO test vectors.
 *
 * <p>With {@code h = (logp_w − ref_w) − (logp_l − ref_l)}, {@code z = β·h + α·(|y_w| − |y_l|)} and the soft label
 * {@code q = p(1−ε) + (1−p)ε}.
 */
public final class PreferenceLoss {
    private PreferenceLoss() {}

    /** @return the unweighted loss of every pair  (B) */
    public static double[] pairLosses(LossConfig cfg, PairLogps x) {
        double[] out = new double[x.size()]; // (B)
        for (int i = 0; i < out.length; i++) {
            out[i] = pairLoss(cfg, x, i);
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
        double z = beta * h + cfg.lengthAlpha() * (lenW - lenL);
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
        // RPO (Pang et al. 2024, eq. 1): length-normalised NLL of the chosen completion.
        return loss + cfg.rpoAlpha() * (-x.policyChosen()[i] / lenW);
    }

    /** @return log σ(x), stable for large |x| */
    public static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }

    /** @return TRL's chosen rewards: β·(logp − ref), or β·logp/|y| for SimPO, or on averages for IPO  (B) */
    public static double[] rewards(LossConfig cfg, double[] policy, double[] ref, double[] len) {
        double[] r = new double[policy.length]; // (B)
        for (int i = 0; i < r.length; i++) {
            double refI = cfg.referenceFree() ? 0 : ref[i];
            r[i] = switch (cfg.variant()) {
                case SIMPO -> cfg.beta() * policy[i] / len[i];
                case IPO -> cfg.beta() * (policy[i] - refI) / len[i];
                default -> cfg.beta() * (policy[i] - refI);
            };
        }
        return r;
    }
}
