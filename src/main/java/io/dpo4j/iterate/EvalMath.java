package io.dpo4j.iterate;

import java.util.Arrays;

/**
 * The statistics of a round's evaluation, as pure functions of the held-out samples: reward mean and median, length
 * distribution and the fraction in a band around a target length, the sampled KL estimate and the win rate against
 * the start model. NaN inputs (samples the judge skipped) are left out and counted by the callers.
 */
public final class EvalMath {
    private EvalMath() {}

    /** @return the mean of the values that are not NaN; NaN when there is none */
    public static double mean(double[] v) {
        double sum = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                sum += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** @return the median of the values that are not NaN (mean of the two middle ones for an even count); NaN for none */
    public static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /**
     * The sampled estimate of KL(π ‖ π_ref) over completions y ~ π(·|x): the mean over samples of
     * log π(y|x) − log π_ref(y|x), each the sum of the completion's token log-probs.
     *
     * @param policy    log π(y|x) per sample
     * @param reference log π_ref(y|x) per sample, aligned
     */
    public static double klEstimate(double[] policy, double[] reference) {
        if (policy.length != reference.length) {
            throw new IllegalArgumentException("KL estimate: expected as many reference log-probs as policy ones ("
                    + policy.length + "), found " + reference.length);
        }
        if (policy.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < policy.length; i++) {
            sum += policy[i] - reference[i];
        }
        return sum / policy.length;
    }

    /**
     * Wins of the policy over the start model, one comparison per held-out prompt.
     *
     * @param wins   policy sample scored higher
     * @param ties   equal scores (count ½)
     * @param losses start-model sample scored higher
     */
    public record WinRate(int wins, int ties, int losses) {
        /** @return comparisons made */
        public int n() {
            return wins + ties + losses;
        }

        /** @return (wins + ties / 2) / n, NaN without comparisons */
        public double rate() {
            return n() == 0 ? Double.NaN : (wins + 0.5 * ties) / n();
        }
    }

    /**
     * @param policy judge scores of one policy sample per prompt
     * @param start  judge scores of one start-model sample per prompt, aligned; a prompt where either is NaN is left
     *               out
     */
    public static WinRate winRate(double[] policy, double[] start) {
        if (policy.length != start.length) {
            throw new IllegalArgumentException("win rate: expected one start-model score per policy score ("
                    + policy.length + "), found " + start.length);
        }
        int w = 0, t = 0, l = 0;
        for (int i = 0; i < policy.length; i++) {
            if (Double.isNaN(policy[i]) || Double.isNaN(start[i])) {
                continue;
            }
            if (policy[i] > start[i]) {
                w++;
            } else if (policy[i] == start[i]) {
                t++;
            } else {
                l++;
            }
        }
        return new WinRate(w, t, l);
    }

    /**
     * Completion lengths in tokens.
     *
     * @param mean      mean length
     * @param min       shortest
     * @param p10       10th percentile (nearest rank)
     * @param p50       median (nearest rank)
     * @param p90       90th percentile (nearest rank)
     * @param max       longest
     * @param binWidth  width of the histogram's bins
     * @param histogram counts of lengths in [i·binWidth, (i+1)·binWidth), the last bin holding {@code maxTokens}
     */
    public record Lengths(double mean, int min, int p10, int p50, int p90, int max, int binWidth, int[] histogram) {}

    /**
     * @param tokens    each sample's completion length
     * @param maxTokens the generation limit (the histogram spans 0..maxTokens in 8 bins or fewer)
     */
    public static Lengths lengths(int[] tokens, int maxTokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("lengths: expected at least one sample, found none");
        }
        int[] s = tokens.clone();
        Arrays.sort(s);
        int width = Math.max(1, (maxTokens + 8) / 8); // ceil((maxTokens + 1) / 8): 8 bins cover 0..maxTokens
        int[] hist = new int[maxTokens / width + 1];
        double sum = 0;
        for (int t : s) {
            hist[Math.min(hist.length - 1, t / width)]++;
            sum += t;
        }
        return new Lengths(sum / s.length, s[0], rank(s, 0.1), rank(s, 0.5), rank(s, 0.9), s[s.length - 1], width,
                hist);
    }

    /** Nearest-rank percentile of sorted values: the value at rank ceil(q·n). */
    static int rank(int[] sorted, double q) {
        int r = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, r - 1)];
    }

    /**
     * @param tokens completion lengths
     * @param target the target length (iLR-DPO's {@code --length-target})
     * @param band   relative half-width: a length counts when |length − target| ≤ band·target
     * @return the fraction of lengths within the band
     */
    public static double fractionInBand(int[] tokens, double target, double band) {
        if (tokens.length == 0) {
            return Double.NaN;
        }
        int in = 0;
        for (int t : tokens) {
            if (Math.abs(t - target) <= band * target) {
                in++;
            }
        }
        return (double) in / tokens.length;
    }
}
