package io.dpo4j.iterate;

import io.dpo4j.data.BlankText;
import java.util.ArrayList;
import java.util.List;

/**
 * Best-vs-worst pairs from judged samples (the rule of iterative / online DPO with a scalar judge, e.g. Xiong et al.
 * 2024, Snorkel's iterative DPO): per prompt, among its samples with a score (NaN = the judge skipped it) and a
 * non-blank text, the highest-scoring sample is chosen and the lowest-scoring one rejected (the first in sample order
 * on equal scores). A prompt gives no pair when fewer than two of its samples are usable, when best and worst score
 * the same (a tie) or have the same text, or when their margin is below {@code minMargin}. Pure and deterministic.
 */
public final class PairSelection {

    private PairSelection() {}

    /** Why a prompt gave no pair. */
    public enum Drop {
        /** Fewer than two samples with a score and a non-blank text. */
        TOO_FEW_SCORED,
        /** Best and worst scored the same, or are the same text. */
        TIE,
        /** The margin best − worst is below {@code --min-margin}. */
        BELOW_MARGIN
    }

    /**
     * The pair of one prompt, or why there is none.
     *
     * @param chosen   the best sample (null when dropped)
     * @param rejected the worst sample (null when dropped)
     * @param chosenScore   its score
     * @param rejectedScore its score
     * @param drop     why the prompt gave no pair, or null for a pair
     */
    public record Choice(Completion chosen, Completion rejected, double chosenScore, double rejectedScore, Drop drop) {
        /** @return best − worst */
        public double margin() {
            return chosenScore - rejectedScore;
        }

        /** @return whether this is a pair (not a drop) */
        public boolean isPair() {
            return drop == null;
        }
    }

    /**
     * Counts of one round's selection.
     *
     * @param prompts      prompts judged
     * @param pairs        pairs kept
     * @param tooFewScored prompts with fewer than two usable samples
     * @param ties         prompts whose best and worst tie
     * @param belowMargin  prompts whose margin is below the minimum
     * @param unscored     samples the judge skipped (NaN)
     * @param blank        samples with a blank text (never paired: the data reader refuses blank completions)
     */
    public record Stats(int prompts, int pairs, int tooFewScored, int ties, int belowMargin, int unscored, int blank) {}

    /**
     * @param samples   one prompt's samples, in sample order
     * @param scores    their scores, NaN for a sample the judge skipped
     * @param minMargin smallest margin kept, ≥ 0 (ties are dropped whatever it is)
     */
    public static Choice choose(List<Completion> samples, double[] scores, double minMargin) {
        if (samples.size() != scores.length) {
            throw new IllegalArgumentException("pair selection: expected one score per sample (" + samples.size()
                    + "), found " + scores.length);
        }
        if (!(minMargin >= 0) || Double.isInfinite(minMargin)) {
            throw new IllegalArgumentException("--min-margin: expected a finite value >= 0, found " + minMargin);
        }
        int best = -1;
        int worst = -1;
        int usable = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!usable(samples.get(i), scores[i])) {
                continue;
            }
            usable++;
            if (best < 0 || scores[i] > scores[best]) {
                best = i;
            }
            if (worst < 0 || scores[i] < scores[worst]) {
                worst = i;
            }
        }
        if (usable < 2) {
            return new Choice(null, null, Double.NaN, Double.NaN, Drop.TOO_FEW_SCORED);
        }
        double margin = scores[best] - scores[worst];
        if (margin == 0 || samples.get(best).completion().equals(samples.get(worst).completion())) {
            return new Choice(null, null, scores[best], scores[worst], Drop.TIE);
        }
        if (margin < minMargin) {
            return new Choice(null, null, scores[best], scores[worst], Drop.BELOW_MARGIN);
        }
        return new Choice(samples.get(best), samples.get(worst), scores[best], scores[worst], null);
    }

    private static boolean usable(Completion c, double score) {
        return !Double.isNaN(score) && !BlankText.isBlank(c.completion());
    }

    /**
     * Selects the pairs of a round.
     *
     * @param byPrompt  each prompt's samples, in sample order
     * @param scores    the scores, aligned with {@code byPrompt}
     * @param minMargin smallest margin kept
     * @param out       receives one choice per prompt (pairs and drops), in prompt order
     * @return the counts
     */
    public static Stats selectAll(List<List<Completion>> byPrompt, List<double[]> scores, double minMargin,
                                  List<Choice> out) {
        int pairs = 0, few = 0, ties = 0, below = 0, unscored = 0, blank = 0;
        for (int p = 0; p < byPrompt.size(); p++) {
            double[] s = scores.get(p);
            for (int i = 0; i < s.length; i++) {
                if (Double.isNaN(s[i])) {
                    unscored++;
                } else if (BlankText.isBlank(byPrompt.get(p).get(i).completion())) {
                    blank++;
                }
            }
            Choice c = choose(byPrompt.get(p), s, minMargin);
            out.add(c);
            if (c.isPair()) {
                pairs++;
            } else {
                switch (c.drop()) {
                    case TOO_FEW_SCORED -> few++;
                    case TIE -> ties++;
                    case BELOW_MARGIN -> below++;
                    default -> throw new IllegalStateException("unhandled drop " + c.drop());
                }
            }
        }
        return new Stats(byPrompt.size(), pairs, few, ties, below, unscored, blank);
    }

    /** @return the pairs among {@code choices} */
    public static List<Choice> pairsOf(List<Choice> choices) {
        List<Choice> out = new ArrayList<>();
        for (Choice c : choices) {
            if (c.isPair()) {
                out.add(c);
            }
        }
        return out;
    }
}
