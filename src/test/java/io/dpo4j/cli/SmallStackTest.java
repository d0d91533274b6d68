package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started with a small default thread stack ({@code -Xss256k}) used to crash inside ONNX Runtime's native code
 * (a JVM crash, no message). The CLI runs its command on a thread whose stack size it chooses, so the same run works.
 */
class SmallStackTest {
    @TempDir
    Path tmp;

    @Test
    void trainingRunsUnderXss256k() throws Exception {
        Path out = tmp.resolve("run");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss256k",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train", "--no-progress",
                "--max-steps", "2", "--output", out.toString(), "--cache-dir", tmp.resolve("cache").toString())
                .directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).doesNotContain("SIGSEGV").doesNotContain("hs_err");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).isNotEmpty();
    }
}
