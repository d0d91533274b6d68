package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs src/test/resources/judge/ScriptedJudge.java as a single-file Java program behind a CommandJudge. */
class CommandJudgeTest {
    static final Path SCRIPT = Path.of("src/test/resources/judge/ScriptedJudge.java").toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    static List<String> argv() {
        return List.of(JAVA, "-Xshare:auto", "-XX:TieredStopAtLevel=1", SCRIPT.toString());
    }

    private static CommandJudge judge(Duration timeout) {
        return new CommandJudge(argv(), timeout);
    }

    @Test
    void scoresEveryCandidateThroughOneLongLivedProcess() throws JudgeException {
        try (CommandJudge j = judge(Duration.ofSeconds(60))) {
            double[] s = j.score(List.of(new Candidate("p", "abc", 4), new Candidate("q", "hello, \"world\"", 2)));
            assertArrayEquals(new double[] {3 + 2.0, 14 + 1.0}, s, 0.0); // chars + tokens / 2
            double[] again = j.score(List.of(new Candidate("p", "", 0)));
            assertArrayEquals(new double[] {0.0}, again, 0.0);
            assertEquals(1, j.starts());
        }
    }

    @Test
    void anErrorReplyOrInfiniteScoreFailsTheCandidateAndKeepsTheProcess() throws JudgeException {
        try (CommandJudge j = judge(Duration.ofSeconds(60))) {
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("p0", "ok", 1), new Candidate("the prompt", "error", 1))));
            assertEquals(1, e.index());
            assertTrue(e.getMessage().contains("asked to fail") && e.getMessage().contains("the prompt"),
                    e.getMessage());
            JudgeException inf = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("p", "inf", 1))));
            assertTrue(inf.getMessage().contains("non-finite"), inf.getMessage());
            assertArrayEquals(new double[] {2.5}, j.score(List.of(new Candidate("p", "ok", 1))), 0.0);
            assertEquals(1, j.starts());
        }
    }

    @Test
    void aDyingProcessIsReportedWithItsStderrAndRestartedOnTheNextCall() throws JudgeException {
        try (CommandJudge j = judge(Duration.ofSeconds(60))) {
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("a", "ok", 1), new Candidate("dying prompt", "crash", 1))));
            assertEquals(1, e.index());
            assertTrue(e.getMessage().contains("dying prompt") && e.getMessage().contains("boom")
                    && e.getMessage().contains("got 2"), e.getMessage());
            assertArrayEquals(new double[] {2.5}, j.score(List.of(new Candidate("p", "ok", 1))), 0.0);
            assertEquals(2, j.starts());
        }
    }

    @Test
    void nonJsonRepliesAreProtocolErrors() {
        try (CommandJudge j = judge(Duration.ofSeconds(60))) {
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("p", "garbage", 1))));
            assertEquals(0, e.index());
            assertTrue(e.getMessage().contains("not json") && e.getMessage().contains("stderr tail"),
                    e.getMessage());
        }
    }

    @Test
    void aHangingProcessTimesOutAndIsKilled() throws JudgeException {
        try (CommandJudge j = judge(Duration.ofSeconds(8))) {
            j.score(List.of(new Candidate("p", "warm", 1))); // the JVM start is not part of the timed call
            long t0 = System.nanoTime();
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("slow prompt", "hang", 1))));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(e.getMessage().contains("no answer within 8000 ms") && e.getMessage().contains("slow prompt"),
                    e.getMessage());
            assertTrue(seconds >= 7.9 && seconds < 20, "timed out after " + seconds + " s");
        }
    }

    @Test
    void retryPolicyGetsAFreshAnswerFromTheLiveProcess() throws JudgeException {
        try (CommandJudge j = judge(Duration.ofSeconds(60))) {
            double[] s = FailurePolicy.parse("retry:1").scoreAll(j,
                    List.of(new Candidate("p", "ab", 2), new Candidate("p", "flaky", 1)), w -> { });
            assertArrayEquals(new double[] {3.0, 42.0}, s, 0.0);
        }
    }

    @Test
    void aMissingProgramFailsNamingIt() {
        try (CommandJudge j = new CommandJudge(List.of("/nonexistent/judge-program"), Duration.ofSeconds(5))) {
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("p", "x", 1))));
            assertTrue(e.getMessage().contains("/nonexistent/judge-program"), e.getMessage());
        }
    }
}
