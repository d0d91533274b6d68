package io.dpo4j.dpo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss-related graph inputs of one micro-batch (tools/CONTRACT.md), as plain arrays with their shapes.
 *
 * @param refLogps   reference log-probs, chosen then rejected; zeros when reference-free  (N)
 * @param prefProb   soft labels  (B)
 * @param pairWeight per-pair weights, already divided by the gradient accumulation steps  (B)
 * @param lossMix    one-hot variant selector  (K)
 * @param beta       β  (1)
 * @param labelSmoothing ε  (1)
 * @param lengthAlpha    R-DPO α  (1)
 * @param simpoGamma     SimPO γ  (1)
 * @param rpoAlpha       RPO NLL weight  (1)
 * @param lengthTarget   iLR-DPO target length L  (1)
 * @param lengthLambda   iLR-DPO λ  (1); 0 = off, and then graphs exported without the two inputs are fed without them
 */
public record LossInputs(float[] refLogps, float[] prefProb, float[] pairWeight, float[] lossMix, float beta,
                         float labelSmoothing, float lengthAlpha, float simpoGamma, float rpoAlpha, float lengthTarget,
                         float lengthLambda) {

    /** Requires N = 2B. */
    public LossInputs {
        if (refLogps.length != 2 * prefProb.length || pairWeight.length != prefProb.length) {
            throw new IllegalArgumentException("loss inputs: expected ref_logps (2B) and pref_prob, pair_weight (B), found "
                    + refLogps.length + ", " + prefProb.length + ", " + pairWeight.length);
        }
    }

    /**
     * Builds the inputs of one micro-batch.
     *
     * @param cfg         loss configuration
     * @param refChosen   reference log-probs of chosen  (B)
     * @param refRejected reference log-probs of rejected  (B)
     * @param prefProb    soft labels  (B)
     * @param weight      per-pair weights  (B)
     * @param scale       multiplier on every weight (1 / gradient accumulation steps)
     */
    public static LossInputs of(LossConfig cfg, float[] refChosen, float[] refRejected, float[] prefProb,
                                float[] weight, float scale) {
        int b = refChosen.length;
        float[] ref = new float[2 * b]; // (N)
        if (cfg.usesReference()) {
            System.arraycopy(refChosen, 0, ref, 0, b);
            System.arraycopy(refRejected, 0, ref, b, b);
        }
        float[] w = new float[b]; // (B)
        for (int i = 0; i < b; i++) {
            w[i] = weight[i] * scale;
        }
        return new LossInputs(ref, prefProb.clone(), w, cfg.lossMix(), (float) cfg.beta(), (float) cfg.labelSmoothing(),
                (float) cfg.lengthAlpha(), (float) cfg.simpoGamma(), (float) cfg.rpoAlpha(), (float) cfg.lengthTarget(),
                (float) cfg.lengthLambda());
    }

    /** @return graph input name → values, for the names of tools/CONTRACT.md (shapes: see {@link #shape(String)}) */
    public Map<String, float[]> asMap() {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("ref_logps", refLogps);
        m.put("pref_prob", prefProb);
        m.put("pair_weight", pairWeight);
        m.put("loss_mix", lossMix);
        m.put("beta", new float[] {beta});
        m.put("label_smoothing", new float[] {labelSmoothing});
        m.put("length_alpha", new float[] {lengthAlpha});
        m.put("simpo_gamma", new float[] {simpoGamma});
        m.put("rpo_alpha", new float[] {rpoAlpha});
        m.put("length_target", new float[] {lengthTarget});
        m.put("length_lambda", new float[] {lengthLambda});
        return m;
    }

    /** @return the 1-D shape of an input of {@link #asMap()} */
    public long[] shape(String name) {
        return new long[] {asMap().get(name).length};
    }

    @Override
    public String toString() {
        return "LossInputs" + Arrays.toString(lossMix) + " beta=" + beta;
    }
}
