package io.dpo4j.dpo;

/**
 * Sequence-level quantities of B pairs: what the loss needs, as the graph outputs them.
 *
 * @param policyChosen    summed completion log-probs of the chosen completions under the policy  (B)
 * @param policyRejected  same for rejected  (B)
 * @param refChosen       reference log-probs of chosen  (B)
 * @param refRejected     reference log-probs of rejected  (B)
 * @param lenChosen       completion tokens of chosen |y_w|  (B)
 * @param lenRejected     completion tokens of rejected |y_l|  (B)
 * @param prefProb        probability that chosen is preferred (soft label)  (B)
 */
public record PairLogps(double[] policyChosen, double[] policyRejected, double[] refChosen, double[] refRejected,
                        double[] lenChosen, double[] lenRejected, double[] prefProb) {

    /** Requires equal lengths and positive token counts. */
    public PairLogps {
        int b = policyChosen.length;
        for (double[] a : new double[][] {policyRejected, refChosen, refRejected, lenChosen, lenRejected, prefProb}) {
            if (a.length != b) {
                throw new IllegalArgumentException("pair arrays: expected length " + b + ", found " + a.length);
            }
        }
        for (int i = 0; i < b; i++) {
            if (!(lenChosen[i] > 0) || !(lenRejected[i] > 0)) {
                throw new IllegalArgumentException("pair " + i + ": completion token counts must be > 0, found "
                        + lenChosen[i] + " / " + lenRejected[i]);
            }
        }
    }

    /** @return number of pairs B */
    public int size() {
        return policyChosen.length;
    }
}
