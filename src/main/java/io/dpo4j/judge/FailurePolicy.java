package io.dpo4j.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What to do when a judge cannot score a candidate: {@code fail} (stop with the judge's exception), {@code skip}
 * (the candidate's score is NaN and a warning names its prompt; the caller drops NaN candidates),
 * {@code retry:N} (rescore each failed candidate up to N more times, then fail) or {@code retry:N,skip} (then skip).
 * A judge's score is never replaced by 0.
 *
 * @param retries how many times a failed candidate is rescored, ≥ 0
 * @param skip    whether a candidate that still fails is skipped (NaN) instead of failing the call
 */
public record FailurePolicy(int retries, boolean skip) {
    /** The syntax {@link #parse} accepts, for messages and help. */
    public static final String SYNTAX = "fail | skip | retry:N | retry:N,skip";

    /** Validates retries ≥ 0. */
    public FailurePolicy {
        if (retries < 0) {
            throw new IllegalArgumentException("judge failure policy: expected retries >= 0, found " + retries);
        }
    }

    /** Stop at the first failure. */
    public static FailurePolicy fail() {
        return new FailurePolicy(0, false);
    }

    /**
     * Parses {@code fail}, {@code skip}, {@code retry:N} or {@code retry:N,skip} (N ≥ 1).
     *
     * @throws IllegalArgumentException naming the text and the valid forms
     */
    public static FailurePolicy parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("fail")) {
            return fail();
        }
        if (t.equals("skip")) {
            return new FailurePolicy(0, true);
        }
        if (t.startsWith("retry:")) {
            String rest = t.substring("retry:".length());
            boolean skip = rest.endsWith(",skip");
            String n = skip ? rest.substring(0, rest.length() - ",skip".length()) : rest;
            if (n.matches("[0-9]{1,6}") && Integer.parseInt(n) >= 1) {
                return new FailurePolicy(Integer.parseInt(n), skip);
            }
            throw new IllegalArgumentException("judge failure policy '" + text + "': expected retry:N with N an "
                    + "integer >= 1 (optionally followed by ,skip), found N = '" + n + "'");
        }
        throw new IllegalArgumentException("judge failure policy '" + text + "': expected one of " + SYNTAX);
    }

    /**
     * Scores every candidate under this policy. The whole list is scored in one call first; when that fails and the
     * policy retries or skips, each candidate is scored on its own (so one bad candidate does not take the others
     * with it), a failed one rescored up to {@link #retries()} times, then skipped (NaN) or failed. A judge that
     * returns a non-finite score or the wrong number of scores counts as failing.
     *
     * @param judge      the judge
     * @param candidates what to score
     * @param warn       receives one line per retry and per skipped candidate
     * @return one score per candidate, finite, or NaN for a skipped one
     * @throws JudgeException under {@code fail}, or when retries run out without {@code skip}; its index is the
     *                        candidate's position in {@code candidates}
     */
    public double[] scoreAll(Judge judge, List<Candidate> candidates, Consumer<String> warn) throws JudgeException {
        if (candidates.isEmpty()) {
            return new double[0];
        }
        try {
            return checked(judge, candidates, 0);
        } catch (JudgeException e) {
            if (retries == 0 && !skip) {
                throw e;
            }
            warn.accept(judge.name() + ": " + e.getMessage() + "; scoring the " + candidates.size()
                    + " candidate(s) one by one");
        }
        double[] out = new double[candidates.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = one(judge, candidates.get(i), i, warn);
        }
        return out;
    }

    private double one(Judge judge, Candidate c, int index, Consumer<String> warn) throws JudgeException {
        JudgeException last = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            try {
                return checked(judge, List.of(c), index)[0];
            } catch (JudgeException e) {
                last = new JudgeException(index, c.prompt(), e.reason(), e);
                if (attempt < retries) {
                    warn.accept(judge.name() + ": " + last.getMessage() + "; retry " + (attempt + 1) + "/" + retries);
                }
            }
        }
        if (!skip) {
            throw last;
        }
        warn.accept(judge.name() + ": skipping candidate: " + last.getMessage());
        return Double.NaN;
    }

    /** Scores and checks the count and finiteness; indexes in exceptions are offset by {@code base}. */
    private static double[] checked(Judge judge, List<Candidate> cs, int base) throws JudgeException {
        double[] s;
        try {
            s = judge.score(cs);
        } catch (RuntimeException e) {
            throw new JudgeException(cs.size() == 1 ? base : -1, cs.size() == 1 ? cs.get(0).prompt() : null,
                    judge.name() + " crashed: " + e, e);
        }
        if (s == null || s.length != cs.size()) {
            throw new JudgeException(-1, null, judge.name() + " returned " + (s == null ? "null" : s.length
                    + " scores") + " for " + cs.size() + " candidate(s)");
        }
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) {
                throw new JudgeException(base + i, cs.get(i).prompt(), judge.name() + " returned the non-finite score "
                        + s[i]);
            }
        }
        return s;
    }

    /** The canonical text {@link #parse} reads back. */
    @Override
    public String toString() {
        if (retries == 0) {
            return skip ? "skip" : "fail";
        }
        return "retry:" + retries + (skip ? ",skip" : "");
    }

    /** @return a list of the candidates whose score is not NaN (what a caller keeps after skip) */
    public static List<Integer> scored(double[] scores) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isNaN(scores[i])) {
                keep.add(i);
            }
        }
        return keep;
    }
}
