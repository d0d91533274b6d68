package io.dpo4j.judge;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A judge for tests: scores a completion by its length in chars; a completion "fail:K" fails its first K scoring
 * calls (then scores like any other), "nan" returns NaN, "boom" throws a RuntimeException.
 */
final class FakeJudge implements Judge {
    final Map<String, Integer> failures = new HashMap<>();
    int calls;
    boolean closed;

    @Override
    public double[] score(List<Candidate> candidates) throws JudgeException {
        calls++;
        double[] out = new double[candidates.size()];
        for (int i = 0; i < out.length; i++) {
            String c = candidates.get(i).completion();
            if (c.startsWith("fail:")) {
                int seen = failures.merge(c, 1, Integer::sum);
                if (seen <= Integer.parseInt(c.substring(5))) {
                    throw new JudgeException(i, candidates.get(i).prompt(), "fake failure " + seen);
                }
            }
            if (c.equals("boom")) {
                throw new IllegalStateException("fake crash");
            }
            out[i] = c.equals("nan") ? Double.NaN : c.length();
        }
        return out;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public void close() {
        closed = true;
    }
}
