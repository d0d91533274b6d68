package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.cli.Main;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run per run directory: a second lock on the same {@code --output} fails at once naming the holder's pid, from
 * this JVM or from another process; the lock goes with its holder (also on {@code kill -9}); closing removes the
 * lock file and a directory the lock created for nothing.
 */
class RunLockTest {
    @TempDir
    Path tmp;

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void secondLockInTheSameJvmFailsNamingThePid() {
        Path out = tmp.resolve("run");
        try (RunLock first = RunLock.acquire(out)) {
            assertThat(first.file()).isEqualTo(out.resolve(".lock")); // not read here: that would drop the lock
            assertThatThrownBy(() -> RunLock.acquire(out))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("--output " + out + " is in use by another run (pid " + PID)
                    .hasMessageContaining(out.resolve(".lock").toString());
            assertThatThrownBy(() -> RunLock.acquire(tmp.resolve("./run/../run"))) // same directory, other spelling
                    .hasMessageContaining("pid " + PID);
        }
        try (RunLock again = RunLock.acquire(out)) {
            assertThat(again.file()).exists();
        }
    }

    @Test
    void closeRemovesTheLockFileAndTheDirectoryItCreatedWhenNothingWasWritten() throws Exception {
        Path created = tmp.resolve("a/b/run");
        RunLock.acquire(created).close();
        assertThat(tmp.resolve("a")).doesNotExist();
        Path used = tmp.resolve("used");
        try (RunLock l = RunLock.acquire(used)) {
            Files.writeString(used.resolve("metrics.jsonl"), "{}\n");
        }
        assertThat(used.resolve(".lock")).doesNotExist();
        assertThat(used.resolve("metrics.jsonl")).exists();
    }

    @Test
    void lockHeldByAnotherProcessFailsNamingItsPidAndIsFreedWhenItIsKilled() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Process child = holder(out);
        try {
            assertThat(out.resolve(".lock")).hasContent(child.pid() + "\n");
            assertThatThrownBy(() -> RunLock.acquire(out))
                    .hasMessageContaining("is in use by another run (pid " + child.pid() + ",");
            child.destroyForcibly(); // SIGKILL: no cleanup runs in the child
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out.resolve(".lock")).exists(); // stale file left behind by kill -9
            try (RunLock l = RunLock.acquire(out)) {
                assertThat(l.file()).isEqualTo(out.resolve(".lock"));
            }
            assertThat(out.resolve(".lock")).doesNotExist();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void trainOnALockedOutputFailsAtOnceNamingThePid() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Process child = holder(out);
        try {
            StringWriter err = new StringWriter();
            var cl = Main.commandLine();
            cl.setErr(new PrintWriter(err));
            int code = cl.execute("train", "--output", out.toString(), "--cache-dir", tmp.resolve("cache").toString(),
                    "--max-steps", "1", "--no-progress");
            assertThat(code).isNotZero();
            assertThat(err.toString()).contains("error: --output " + out + " is in use by another run (pid "
                    + child.pid() + ", lock file " + out.resolve(".lock") + ")");
            assertThat(out.resolve("metrics.jsonl")).doesNotExist();
            assertThat(tmp.resolve("cache")).doesNotExist(); // failed before the reference pass
        } finally {
            child.getOutputStream().close(); // a clean release this time
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).isZero();
        assertThat(out.resolve(".lock")).doesNotExist();
    }

    @Test
    void concurrentAttemptsInOneJvmLetExactlyOneWinAndKeepTheLockForOtherProcesses() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        int threads = 8;
        var start = new java.util.concurrent.CountDownLatch(1);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<RunLock>> tries = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            tries.add(pool.submit(() -> {
                start.await();
                try {
                    return RunLock.acquire(out);
                } catch (IllegalStateException e) {
                    assertThat(e).hasMessageContaining("pid " + PID + ", this process");
                    return null;
                }
            }));
        }
        start.countDown();
        List<RunLock> won = new ArrayList<>();
        for (var f : tries) {
            RunLock l = f.get(30, TimeUnit.SECONDS);
            if (l != null) {
                won.add(l);
            }
        }
        pool.shutdown();
        assertThat(won).hasSize(1);
        try (RunLock l = won.get(0)) {
            // the losers opened nothing, so the operating system's lock still stands for other processes
            ProbeResult probe = probe(out);
            assertThat(probe.code()).isEqualTo(3);
            assertThat(probe.output()).contains("is in use by another run (pid " + PID + ",");
        }
        assertThat(probe(out).output()).isEqualTo("locked");
    }

    private record ProbeResult(int code, String output) {}

    private static ProbeResult probe(Path dir) throws Exception {
        Process p = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                RunLockHolder.class.getName(), dir.toString(), "probe")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new ProbeResult(p.exitValue(), out);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts a JVM holding the lock on {@code dir}; returns once it has it. */
    private static Process holder(Path dir) throws Exception {
        Process p = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                RunLockHolder.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("holder's first line").isEqualTo("locked " + p.pid());
        return p;
    }
}
