package io.dpo4j.judge;

import java.util.List;

/**
 * Scores a completion by how close its length in policy tokens is to a target: {@code -|n - L| / max(L, 1)}, where
 * {@code n} is {@link Candidate#completionTokens()} and {@code L} the target. The best score is 0 (exactly L tokens);
 * each token off costs {@code 1 / max(L, 1)}, so a completion twice as long as the target scores -1.
 */
public final class LengthJudge implements Judge {
    private final int target;

    /**
     * @param target the preferred completion length in tokens, ≥ 0
     * @throws IllegalArgumentException for a negative target
     */
    public LengthJudge(int target) {
        if (target < 0) {
            throw new IllegalArgumentException("length judge: expected a target length >= 0, found " + target);
        }
        this.target = target;
    }

    /** The score of a completion of {@code tokens} tokens. */
    public double score(int tokens) {
        return -Math.abs((double) tokens - target) / Math.max(target, 1);
    }

    @Override
    public double[] score(List<Candidate> candidates) {
        double[] out = new double[candidates.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = score(candidates.get(i).completionTokens());
        }
        return out;
    }

    /** @return the target length */
    public int target() {
        return target;
    }

    @Override
    public String name() {
        return "length:" + target;
    }
}
