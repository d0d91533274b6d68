package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Every failure is one line on stderr with a non-zero exit; a stack trace only with --verbose. */
class MainErrorsTest {

    @TempDir
    Path tmp;

    private record Run(int code, String err) {
    }

    /** A command that fails the way the argument says. */
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Parameters(defaultValue = "oom")
        String kind;

        @Override
        public Integer call() {
            switch (kind) {
                case "oom" -> throw new OutOfMemoryError("Java heap space");
                case "soe" -> throw new StackOverflowError();
                case "npe" -> throw new NullPointerException();
                default -> throw new IllegalStateException("first line\n  second line\n");
            }
        }
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand("boom", new Boom());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = Main.execute(cl, args);
        return new Run(code, err.toString());
    }

    private static void assertOneLine(Run r) {
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).startsWith("error: ").endsWith(System.lineSeparator());
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("\tat ").doesNotContain("java.lang.");
    }

    @Test
    void outOfMemoryAndStackOverflowAreOneLineWithAHint() {
        Run oom = run("boom", "oom");
        assertOneLine(oom);
        assertThat(oom.err()).contains("out of memory (Java heap space)").contains("-Xmx");
        Run soe = run("boom", "soe");
        assertOneLine(soe);
        assertThat(soe.err()).contains("stack overflow").contains("-Xss");
    }

    @Test
    void messagesAreFoldedToOneLineAndUnexpectedOnesNameWhatHappened() {
        Run multi = run("boom", "multi");
        assertOneLine(multi);
        assertThat(multi.err()).isEqualTo("error: first line | second line" + System.lineSeparator());
        Run npe = run("boom", "npe");
        assertOneLine(npe);
        assertThat(npe.err()).contains("unexpected NullPointerException (rerun with --verbose");
    }

    @Test
    void verbosePrintsTheStackTraceAfterTheLine() {
        Run r = run("boom", "npe", "--verbose");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).startsWith("error: unexpected NullPointerException").contains("\tat ");
        Run e = run("boom", "oom", "--verbose");
        assertThat(e.err()).startsWith("error: out of memory").contains("\tat ");
    }

    @Test
    void badDataEndsWithOneLineNamingFileAndLine() throws Exception {
        Path data = tmp.resolve("bad.json");
        Files.writeString(data, "[{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}]\n[]\n");
        Run r = run("data", "stats", "--data", data.toString(), "--artifacts", "artifacts/tiny-gpt2");
        assertOneLine(r);
        assertThat(r.err()).startsWith("error: " + data + ":2: expected nothing after the closing ']'");
        Run dev = run("data", "stats", "--data", "/dev/zero", "--format", "jsonl", "--artifacts", "artifacts/tiny-gpt2");
        assertOneLine(dev);
        assertThat(dev.err()).contains("/dev/zero: expected a regular file");
        Run limit = run("data", "stats", "--data", data.toString(), "--max-rows", "0");
        assertOneLine(limit);
        assertThat(limit.err()).contains("--max-rows: expected >= 1, found 0");
    }
}
