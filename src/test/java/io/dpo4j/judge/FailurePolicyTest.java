package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {

    private static List<Candidate> cands(String... completions) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < completions.length; i++) {
            out.add(new Candidate("prompt " + i, completions[i], 3));
        }
        return out;
    }

    @Test
    void parsesEveryFormAndPrintsItBack() {
        assertEquals(new FailurePolicy(0, false), FailurePolicy.parse("fail"));
        assertEquals(new FailurePolicy(0, true), FailurePolicy.parse("skip"));
        assertEquals(new FailurePolicy(3, false), FailurePolicy.parse("retry:3"));
        assertEquals(new FailurePolicy(2, true), FailurePolicy.parse("retry:2,skip"));
        for (String s : List.of("fail", "skip", "retry:3", "retry:2,skip")) {
            assertEquals(s, FailurePolicy.parse(s).toString());
        }
    }

    @Test
    void rejectsMalformedPoliciesListingTheValidForms() {
        for (String bad : List.of("", "retry", "retry:", "retry:0", "retry:-1", "retry:x", "retry:2,fail", "ignore",
                "skip,retry:2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FailurePolicy.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("retry:N"), e.getMessage());
        }
    }

    @Test
    void scoresEverythingInOneCallWhenNothingFails() throws JudgeException {
        FakeJudge j = new FakeJudge();
        List<String> warnings = new ArrayList<>();
        double[] s = FailurePolicy.parse("retry:2,skip").scoreAll(j, cands("a", "bbb"), warnings::add);
        assertArrayEquals(new double[] {1, 3}, s);
        assertEquals(1, j.calls);
        assertTrue(warnings.isEmpty());
    }

    @Test
    void failThrowsTheJudgesExceptionWithTheCandidateIndex() {
        FakeJudge j = new FakeJudge();
        JudgeException e = assertThrows(JudgeException.class,
                () -> FailurePolicy.fail().scoreAll(j, cands("a", "fail:1"), w -> { }));
        assertEquals(1, e.index());
        assertTrue(e.getMessage().contains("prompt 1"), e.getMessage());
        assertEquals(1, j.calls);
    }

    @Test
    void retryRescoresOnlyTheFailedCandidateUntilItSucceeds() throws JudgeException {
        FakeJudge j = new FakeJudge();
        List<String> warnings = new ArrayList<>();
        double[] s = FailurePolicy.parse("retry:2").scoreAll(j, cands("a", "fail:2", "cc"), warnings::add);
        assertArrayEquals(new double[] {1, 6, 2}, s);
        // failures: batch call (1st), alone (2nd), retry 1 succeeds
        assertEquals(3, j.failures.get("fail:2"));
        assertEquals(2, warnings.size(), warnings.toString()); // the batch fallback and one retry
        assertTrue(warnings.get(1).contains("retry 1/2") && warnings.get(1).contains("prompt 1"), warnings.get(1));
    }

    @Test
    void retryWithoutSkipThrowsWhenRetriesRunOut() {
        FakeJudge j = new FakeJudge();
        JudgeException e = assertThrows(JudgeException.class,
                () -> FailurePolicy.parse("retry:1").scoreAll(j, cands("a", "b", "fail:9"), w -> { }));
        assertEquals(2, e.index());
        assertTrue(e.getMessage().contains("prompt 2") && e.getMessage().contains("fake failure 3"), e.getMessage());
    }

    @Test
    void skipGivesNanAndAWarningNamingThePrompt() throws JudgeException {
        FakeJudge j = new FakeJudge();
        List<String> warnings = new ArrayList<>();
        double[] s = FailurePolicy.parse("skip").scoreAll(j, cands("a", "fail:9", "ccc"), warnings::add);
        assertEquals(1, s[0]);
        assertTrue(Double.isNaN(s[1]));
        assertEquals(3, s[2]);
        assertTrue(warnings.get(warnings.size() - 1).contains("skipping") && warnings.get(warnings.size() - 1)
                .contains("prompt 1"), warnings.toString());
        assertEquals(List.of(0, 2), FailurePolicy.scored(s));
    }

    @Test
    void nonFiniteScoresAndCrashesCountAsFailuresNeverZero() throws JudgeException {
        FakeJudge j = new FakeJudge();
        JudgeException e = assertThrows(JudgeException.class,
                () -> FailurePolicy.fail().scoreAll(j, cands("a", "nan"), w -> { }));
        assertEquals(1, e.index());
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        double[] s = FailurePolicy.parse("skip").scoreAll(new FakeJudge(), cands("nan", "boom", "xy"), w -> { });
        assertTrue(Double.isNaN(s[0]) && Double.isNaN(s[1]));
        assertEquals(2, s[2]);
        JudgeException crash = assertThrows(JudgeException.class,
                () -> FailurePolicy.fail().scoreAll(new FakeJudge(), cands("boom"), w -> { }));
        assertTrue(crash.getMessage().contains("fake crash"), crash.getMessage());
    }
}
