package io.dpo4j.dpo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates graph outputs over micro-batches and summarises them under TRL's metric names
 * ({@code loss, rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen, logps/rejected,
 * logits/chosen, logits/rejected}). Averages are over pairs, as TRL's gathered means are. As in TRL, {@code logps/*}
 * are summed completion log-probs, except for IPO and SimPO, whose loss (and TRL's log) uses per-token averages;
 * {@code rewards/accuracies} counts {@code chosen > rejected} strictly, so a tie (policy = reference) is not accurate.
 */
public final class DpoMetrics {
    private final LossConfig cfg;
    private final int vocabSize;
    private double lossSum;
    private long lossCount;
    private long pairs;
    private double rewardChosen, rewardRejected, accuracy, margin, logpChosen, logpRejected;
    private double logitsChosen, logitsRejected, tokensChosen, tokensRejected;

    /**
     * @param cfg       loss configuration (decides how rewards are defined)
     * @param vocabSize V, to turn logit sums into means
     */
    public DpoMetrics(LossConfig cfg, int vocabSize) {
        this.cfg = cfg;
        this.vocabSize = vocabSize;
    }

    /**
     * Adds one micro-batch.
     *
     * @param loss        the batch loss of this micro-batch, unscaled
     * @param logps       policy log-probs, chosen then rejected  (N)
     * @param refLogps    reference log-probs as fed  (N)
     * @param tokenCounts completion tokens  (N)
     * @param logitsSum   summed completion logits  (N)
     */
    public void add(double loss, float[] logps, float[] refLogps, float[] tokenCounts, float[] logitsSum) {
        int b = logps.length / 2;
        double[] pc = new double[b], pr = new double[b], rc = new double[b], rr = new double[b]; // (B)
        double[] lc = new double[b], lr = new double[b]; // (B)
        for (int i = 0; i < b; i++) {
            pc[i] = logps[i];
            pr[i] = logps[b + i];
            rc[i] = refLogps[i];
            rr[i] = refLogps[b + i];
            lc[i] = tokenCounts[i];
            lr[i] = tokenCounts[b + i];
            logitsChosen += logitsSum[i];
            logitsRejected += logitsSum[b + i];
            tokensChosen += tokenCounts[i];
            tokensRejected += tokenCounts[b + i];
        }
        double[] chosen = PreferenceLoss.rewards(cfg, pc, rc, lc); // (B)
        double[] rejected = PreferenceLoss.rewards(cfg, pr, rr, lr); // (B)
        boolean perToken = cfg.variant() == LossVariant.IPO || cfg.variant() == LossVariant.SIMPO;
        for (int i = 0; i < b; i++) {
            rewardChosen += chosen[i];
            rewardRejected += rejected[i];
            accuracy += chosen[i] > rejected[i] ? 1 : 0;
            margin += chosen[i] - rejected[i];
            logpChosen += perToken ? pc[i] / lc[i] : pc[i];
            logpRejected += perToken ? pr[i] / lr[i] : pr[i];
        }
        pairs += b;
        lossSum += loss;
        lossCount++;
    }

    /** @return pairs added so far */
    public long pairs() {
        return pairs;
    }

    /** @return TRL-named metrics, in TRL's order; empty when nothing was added */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (pairs == 0) {
            return m;
        }
        m.put("loss", lossSum / lossCount);
        m.put("rewards/chosen", rewardChosen / pairs);
        m.put("rewards/rejected", rewardRejected / pairs);
        m.put("rewards/accuracies", accuracy / pairs);
        m.put("rewards/margins", margin / pairs);
        m.put("logps/chosen", logpChosen / pairs);
        m.put("logps/rejected", logpRejected / pairs);
        m.put("logits/chosen", logitsChosen / (tokensChosen * vocabSize));
        m.put("logits/rejected", logitsRejected / (tokensRejected * vocabSize));
        return m;
    }
}
