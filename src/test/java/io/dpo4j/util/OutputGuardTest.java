package io.dpo4j.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.util.OutputGuard.Input;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs are compared with inputs as files (links included), and output kinds are checked. */
class OutputGuardTest {
    @TempDir
    Path tmp;

    @Test
    void sameFileIsFoundThroughDotDotSymlinksAndHardLinks() throws Exception {
        Path data = Files.writeString(tmp.resolve("data.jsonl"), "{}\n");
        Files.createDirectories(tmp.resolve("sub"));
        List<Input> inputs = List.of(new Input("--data", data));
        for (Path out : List.of(tmp.resolve("sub/../data.jsonl"),
                Files.createSymbolicLink(tmp.resolve("sym"), data),
                Files.createLink(tmp.resolve("hard"), data))) {
            assertThatThrownBy(() -> OutputGuard.requireNotInput("--skip-report", out, inputs))
                    .hasMessage("--skip-report " + out + " is the same file as --data " + data
                            + "; refusing to overwrite an input (expected a different path)");
        }
    }

    @Test
    void distinctAndMissingPathsPass() throws Exception {
        Path data = Files.writeString(tmp.resolve("data.jsonl"), "{}\n");
        Path copy = Files.writeString(tmp.resolve("copy.jsonl"), "{}\n");
        OutputGuard.requireNotInput("--skip-report", copy, List.of(new Input("--data", data)));
        OutputGuard.requireNotInput("--skip-report", tmp.resolve("new.jsonl"), List.of(new Input("--data", data),
                new Input("--eval-data", null)));
        assertThat(OutputGuard.sameFile(tmp.resolve("new.jsonl"), data)).isFalse();
    }

    @Test
    void fileAndDirectoryKindsAreChecked() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        Path dir = Files.createDirectories(tmp.resolve("d"));
        assertThatThrownBy(() -> OutputGuard.requireWritableDir("--output", file))
                .hasMessage("--output " + file + ": expected a directory, found a regular file");
        assertThatThrownBy(() -> OutputGuard.requireWritableFile("--skip-report", dir))
                .hasMessage("--skip-report " + dir + ": expected a file, found a directory");
        assertThatThrownBy(() -> OutputGuard.requireWritableDir("--output", file.resolve("a/b")))
                .hasMessageContaining(file + " is a regular file, expected a directory (Not a directory)");
        OutputGuard.requireWritableDir("--output", dir.resolve("new/deeper"));
        OutputGuard.requireWritableFile("--skip-report", dir.resolve("new/report.jsonl"));
        assertThat(dir.resolve("new")).doesNotExist(); // checking creates nothing
    }
}
