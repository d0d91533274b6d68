package io.dpo4j.judge;

import java.util.ArrayList;
import java.util.List;

/**
 * A weighted sum of judges: {@code score = Σ w_i · s_i}. Every part scores the same candidate list; the first part
 * that fails fails the whole call with its exception (its index refers to the same list). Closing it closes every
 * part.
 */
public final class CompositeJudge implements Judge {

    /**
     * One judge and its weight.
     *
     * @param judge  the part
     * @param weight its finite, non-zero weight
     */
    public record Part(Judge judge, double weight) {
        /** Validates a non-null judge and a finite, non-zero weight. */
        public Part {
            if (judge == null) {
                throw new IllegalArgumentException("composite judge part: expected a judge, found null");
            }
            if (!Double.isFinite(weight) || weight == 0) {
                throw new IllegalArgumentException("composite judge part " + judge.name()
                        + ": expected a finite non-zero weight, found " + weight);
            }
        }
    }

    private final List<Part> parts;

    /**
     * @param parts at least one part; the composite takes ownership and closes them
     */
    public CompositeJudge(List<Part> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("composite judge: expected at least one part, found none");
        }
        this.parts = List.copyOf(parts);
    }

    /** @return the parts, in order */
    public List<Part> parts() {
        return parts;
    }

    @Override
    public double[] score(List<Candidate> candidates) throws JudgeException {
        double[] total = new double[candidates.size()];
        for (Part part : parts) {
            double[] s = part.judge().score(candidates);
            if (s.length != total.length) {
                throw new JudgeException(-1, null, part.judge().name() + " returned " + s.length
                        + " scores for " + total.length + " candidates");
            }
            for (int i = 0; i < total.length; i++) {
                total[i] += part.weight() * s[i];
            }
        }
        return total;
    }

    @Override
    public String name() {
        List<String> names = new ArrayList<>();
        for (Part p : parts) {
            names.add(p.weight() == 1.0 ? p.judge().name() : p.weight() + "*" + p.judge().name());
        }
        return String.join(" + ", names);
    }

    /** Closes every part, even when one fails; rethrows the first failure. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Part p : parts) {
            try {
                p.judge().close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
