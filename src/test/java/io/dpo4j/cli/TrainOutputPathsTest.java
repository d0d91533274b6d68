package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train}'s output paths are validated before any work: an output naming an input (directly, through a
 * symbolic link or a hard link) is refused with both paths named and the input left byte-identical; an
 * {@code --output} that is a file or cannot be created says why, before the data is read.
 */
class TrainOutputPathsTest {
    private static final String GOOD = "{\"prompt\":\"a\",\"chosen\":\" b\",\"rejected\":\" c\"}\n";
    private static final String BAD = "{\"prompt\":\"a\",\"chosen\":\" b\"}\n";

    @TempDir
    Path tmp;
    private Path data;
    private byte[] dataBytes;

    private record Run(int code, String err) {}

    @BeforeEach
    void writeData() throws Exception {
        data = tmp.resolve("prefs.jsonl");
        Files.writeString(data, GOOD.repeat(6) + BAD + GOOD.repeat(3));
        dataBytes = Files.readAllBytes(data);
    }

    private Run train(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("train", "--no-progress", "--max-steps", "1", "--batch-size", "2"));
        if (Stream.of(args).noneMatch(a -> a.startsWith("--output"))) {
            all.add("--output=" + tmp.resolve("out"));
        }
        if (Stream.of(args).noneMatch(a -> a.startsWith("--cache-dir"))) {
            all.add("--cache-dir=" + tmp.resolve("cache"));
        }
        all.addAll(List.of(args));
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, err.toString());
    }

    @Test
    void skipReportOnTheDataFileIsRefusedAndTheDataIsByteIdentical() throws Exception {
        Run r = train("--data", data.toString(), "--on-bad-row", "skip", "--skip-report", data.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n")
                .contains("--skip-report " + data + " is the same file as --data " + data);
        assertThat(Files.readAllBytes(data)).isEqualTo(dataBytes);
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void skipReportThroughASymlinkOrAHardLinkToTheDataIsRefused() throws Exception {
        Path sym = Files.createSymbolicLink(tmp.resolve("report-sym.jsonl"), data);
        Path hard = Files.createLink(tmp.resolve("report-hard.jsonl"), data);
        for (Path report : List.of(sym, hard)) {
            Run r = train("--data", data.toString(), "--on-bad-row", "skip", "--skip-report", report.toString());
            assertThat(r.code()).as(report.toString()).isNotZero();
            assertThat(r.err()).contains("--skip-report " + report + " is the same file as --data " + data);
            assertThat(Files.readAllBytes(data)).isEqualTo(dataBytes);
        }
        assertThat(Files.isSymbolicLink(sym)).isTrue();
    }

    @Test
    void skipReportOnTheEvalDataIsRefused() throws Exception {
        Path eval = tmp.resolve("eval.jsonl");
        Files.writeString(eval, GOOD.repeat(2) + BAD);
        byte[] before = Files.readAllBytes(eval);
        Run r = train("--data", data.toString(), "--eval-data", eval.toString(), "--on-bad-row", "skip",
                "--skip-report", eval.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--skip-report " + eval + " is the same file as --eval-data " + eval);
        assertThat(Files.readAllBytes(eval)).isEqualTo(before);
    }

    @Test
    void skipReportOnAnArtifactFileIsRefused() throws Exception {
        Path arts = io.dpo4j.artifacts.ArtifactCopies.copyOf(Files.createDirectories(tmp.resolve("arts")), "tiny-gpt2");
        Path tokenizer = arts.resolve("tokenizer.json");
        byte[] before = Files.readAllBytes(tokenizer);
        Run r = train("--artifacts", arts.toString(), "--data", data.toString(), "--on-bad-row", "skip",
                "--skip-report", tokenizer.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--skip-report " + tokenizer + " is the same file as --artifacts file "
                + tokenizer);
        assertThat(Files.readAllBytes(tokenizer)).isEqualTo(before);
    }

    @Test
    void metricsFileThatIsTheDataFileIsRefused() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Files.createLink(out.resolve("metrics.jsonl"), data);
        Run r = train("--output", out.toString(), "--data", data.toString(), "--on-bad-row", "skip");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains(out.resolve("metrics.jsonl") + " is the same file as --data " + data);
        assertThat(Files.readAllBytes(data)).isEqualTo(dataBytes);
    }

    @Test
    void outputNamingAnExistingFileFailsBeforeTheDataIsRead() throws Exception {
        Path file = tmp.resolve("out.txt");
        Files.writeString(file, "keep me");
        Run r = train("--output", file.toString(), "--data", data.toString()); // the data has a bad row
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--output " + file + ": expected a directory, found a regular file")
                .doesNotContain("prefs.jsonl:7");
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("keep me");
    }

    @Test
    void outputInsideARegularFileSaysNotADirectory() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        Run r = train("--output", file.resolve("run").toString(), "--data", data.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--output " + file.resolve("run")).contains("Not a directory")
                .doesNotContain("prefs.jsonl:7");
    }

    @Test
    void unwritableOutputParentSaysPermissionDenied() throws Exception {
        Path locked = Files.createDirectories(tmp.resolve("ro"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(locked), "running as root: permissions are not enforced");
            Run r = train("--output", locked.resolve("run").toString(), "--data", data.toString());
            assertThat(r.code()).isNotZero();
            assertThat(r.err()).contains("--output " + locked.resolve("run")).contains("Permission denied");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void cacheDirNamingAFileAndSkipReportNamingADirectoryAreRefusedBeforeTheDataIsRead() throws Exception {
        Path file = Files.writeString(tmp.resolve("cache-file"), "x");
        Run r = train("--data", data.toString(), "--cache-dir", file.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--cache-dir " + file + ": expected a directory, found a regular file")
                .doesNotContain("prefs.jsonl:7");
        Path dir = Files.createDirectories(tmp.resolve("reports"));
        r = train("--data", data.toString(), "--on-bad-row", "skip", "--skip-report", dir.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--skip-report " + dir + ": expected a file, found a directory");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
