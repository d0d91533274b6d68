package io.dpo4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A train/eval split. {@link #bySeed} is deterministic for a seed and keeps all pairs sharing a prompt on the same
 * side (no prompt leaks from train into eval); both sides keep file order.
 */
public final class Split {

    private final List<PreferencePair> train;
    private final List<PreferencePair> eval;

    private Split(List<PreferencePair> train, List<PreferencePair> eval) {
        this.train = List.copyOf(train);
        this.eval = List.copyOf(eval);
    }

    /** An explicit split (e.g. an eval file read separately). */
    public static Split of(List<PreferencePair> train, List<PreferencePair> eval) {
        return new Split(train, eval);
    }

    /**
     * Puts about {@code evalFraction} of the pairs (at least one prompt group when the fraction is positive and
     * there are two or more groups; never all groups) into eval.
     */
    public static Split bySeed(List<PreferencePair> all, double evalFraction, long seed) {
        if (!(evalFraction >= 0.0 && evalFraction < 1.0)) {
            throw new IllegalArgumentException("evalFraction: expected in [0, 1), found " + evalFraction);
        }
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            groups.computeIfAbsent(all.get(i).prompt(), k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> order = new ArrayList<>(groups.values());
        Collections.shuffle(order, new Random(seed));
        long target = Math.round(all.size() * evalFraction);
        if (evalFraction > 0 && target == 0 && order.size() >= 2) {
            target = 1;
        }
        boolean[] inEval = new boolean[all.size()];
        long taken = 0;
        for (int g = 0; g < order.size() - 1 && taken < target; g++) {
            for (int i : order.get(g)) {
                inEval[i] = true;
                taken++;
            }
        }
        List<PreferencePair> train = new ArrayList<>();
        List<PreferencePair> eval = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (inEval[i] ? eval : train).add(all.get(i));
        }
        return new Split(train, eval);
    }

    /** Training pairs, in input order. */
    public List<PreferencePair> train() {
        return train;
    }

    /** Evaluation pairs, in input order. */
    public List<PreferencePair> eval() {
        return eval;
    }
}
