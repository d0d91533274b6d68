package io.dpo4j.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names are resolved inside their directory only, from metadata, never opening what they name. */
class ConfinedPathTest {
    @TempDir
    Path tmp;

    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectories(tmp.resolve("set"));
        Files.writeString(dir.resolve("a.txt"), "hello");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/b.txt"), "hi");
        Files.writeString(tmp.resolve("outside.txt"), "secret");
    }

    private String violation(String name) {
        try {
            ConfinedPath.resolve(dir, name);
        } catch (ConfinedPath.Violation v) {
            return v.getMessage();
        }
        throw new AssertionError(name + " was accepted");
    }

    @Test
    void regularFilesInsideAreFoundWithTheirSize() throws Exception {
        assertThat(ConfinedPath.resolve(dir, "a.txt")).isEqualTo(new ConfinedPath.Found(dir.resolve("a.txt"), 5));
        assertThat(ConfinedPath.resolve(dir, "sub/b.txt").bytes()).isEqualTo(2);
        assertThat(ConfinedPath.resolve(dir, "./a.txt").bytes()).isEqualTo(5);
    }

    @Test
    void escapingNamesAreRefused() {
        assertThat(violation("../outside.txt")).isEqualTo("a '..' segment");
        assertThat(violation("sub/../../outside.txt")).isEqualTo("a '..' segment");
        assertThat(violation("sub\\..\\..\\outside.txt")).isEqualTo("a '..' segment");
        assertThat(violation(tmp.resolve("outside.txt").toString())).isEqualTo("an absolute path");
        assertThat(violation("")).isEqualTo("an empty name");
        assertThat(violation(".")).isEqualTo("a name that normalises outside the directory");
        assertThat(violation("nul\0byte")).isEqualTo("a name that is not a valid path");
    }

    @Test
    void symlinksMustStayInside() throws Exception {
        Files.createSymbolicLink(dir.resolve("out-link"), tmp.resolve("outside.txt"));
        Files.createSymbolicLink(dir.resolve("in-link"), Path.of("a.txt"));
        Files.createSymbolicLink(dir.resolve("dir-link"), tmp);
        Files.createSymbolicLink(dir.resolve("dangling"), Path.of("nothing-here"));
        assertThat(violation("out-link")).isEqualTo("a symbolic link whose target is outside the directory");
        assertThat(violation("dir-link/outside.txt")).isEqualTo("a symbolic link whose target is outside the directory");
        assertThat(ConfinedPath.resolve(dir, "in-link").bytes()).isEqualTo(5);
        assertThatThrownBy(() -> ConfinedPath.resolve(dir, "dangling"))
                .isInstanceOfSatisfying(ConfinedPath.Violation.class, v -> assertThat(v.missing()).isTrue());
    }

    @Test
    void nonRegularFilesAreRefused() throws Exception {
        assertThat(violation("sub")).isEqualTo("a directory");
        assertThatThrownBy(() -> ConfinedPath.resolve(dir, "missing.txt"))
                .isInstanceOfSatisfying(ConfinedPath.Violation.class, v -> assertThat(v.missing()).isTrue());
        int rc;
        try {
            rc = new ProcessBuilder(List.of("mkfifo", dir.resolve("pipe").toString())).start().waitFor();
        } catch (IOException e) {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0, "mkfifo is not available on this system: cannot create a FIFO");
        assertThat(violation("pipe")).isEqualTo("a FIFO, socket or device, not a regular file");
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/null")), "no /dev/null device to link to");
        Files.createSymbolicLink(dir.resolve("dev"), Path.of("/dev/null"));
        assertThat(violation("dev")).isEqualTo("a symbolic link whose target is outside the directory");
    }
}
