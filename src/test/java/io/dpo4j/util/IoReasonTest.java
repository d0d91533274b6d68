package io.dpo4j.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** I/O error messages carry the operating system's reason, not only the path. */
class IoReasonTest {
    @TempDir
    Path tmp;

    @Test
    void reasonTextOfTheSystemIsUsed() {
        assertThat(IoReason.of(new FileSystemException("/d/metrics.jsonl", null, "No space left on device")))
                .isEqualTo("No space left on device");
    }

    @Test
    void exceptionsWithoutReasonAreNamedByKind() {
        assertThat(IoReason.of(new AccessDeniedException("/d/run"))).isEqualTo("Permission denied");
        assertThat(IoReason.of(new NoSuchFileException("/d/run"))).isEqualTo("No such file or directory");
        assertThat(IoReason.of(new IOException("stream closed"))).isEqualTo("stream closed");
        assertThat(IoReason.of(new IOException())).isEqualTo("IOException");
    }

    @Test
    void realFailureUnderARegularFileSaysNotADirectory() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        try {
            Files.createDirectories(file.resolve("sub"));
            throw new AssertionError("expected a failure");
        } catch (IOException e) {
            assertThat(IoReason.of(e)).isIn("Not a directory", "File exists");
        }
    }

    @Test
    void writeAtomicallyNamesTheReasonAndLeavesNoTemporary() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        try {
            Files2.writeAtomically(file.resolve("out.bin"), new byte[] {1});
            throw new AssertionError("expected a failure");
        } catch (java.io.UncheckedIOException e) {
            assertThat(e.getMessage()).startsWith("cannot write " + file.resolve("out.bin") + ": ")
                    .containsAnyOf("Not a directory", "File exists");
        }
        Files2.writeAtomically(tmp.resolve("ok.bin"), new byte[] {1, 2});
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("f", "ok.bin");
        }
    }
}
