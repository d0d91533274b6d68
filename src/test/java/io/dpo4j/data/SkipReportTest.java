package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The skip report (written by every command that reads data with {@code --on-bad-row skip}) never overwrites the
 * data file it reports on, and is renamed into place from a temporary sibling.
 */
class SkipReportTest {
    private static final String ROWS = "{\"prompt\":\"a\",\"chosen\":\" b\",\"rejected\":\" c\"}\n"
            + "{\"prompt\":\"a\",\"chosen\":\" b\"}\n";

    @TempDir
    Path tmp;

    @Test
    void reportOnTheDataFileItselfIsRefusedAndTheFileIsUnchanged() throws Exception {
        Path data = Files.writeString(tmp.resolve("prefs.jsonl"), ROWS);
        byte[] before = Files.readAllBytes(data);
        DataOptions opts = DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, tmp.resolve("./prefs.jsonl"));
        assertThatThrownBy(() -> PreferenceReader.read(data, opts, null))
                .hasMessageContaining("--skip-report " + tmp.resolve("./prefs.jsonl")
                        + " is the same file as the data file " + data);
        assertThat(Files.readAllBytes(data)).isEqualTo(before);
    }

    @Test
    void reportIsRenamedIntoPlaceSoALinkedFileIsNotWrittenThrough() throws Exception {
        Path data = Files.writeString(tmp.resolve("prefs.jsonl"), ROWS);
        Path other = Files.writeString(tmp.resolve("other.txt"), "someone else's file");
        Path report = Files.createLink(tmp.resolve("skipped.jsonl"), other);
        ReadResult r = PreferenceReader.read(data, DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, report), null);
        assertThat(r.pairs()).hasSize(1);
        assertThat(Files.readString(other)).isEqualTo("someone else's file");
        assertThat(Files.readAllLines(report)).singleElement().asString()
                .contains("\"line\":2").contains("\"field\":\"rejected\"");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("prefs.jsonl", "other.txt", "skipped.jsonl");
        }
        Path fresh = tmp.resolve("fresh.jsonl");
        PreferenceReader.read(data, DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, fresh), null);
        assertThat(Files.getPosixFilePermissions(fresh)) // like a file written directly, not owner-only
                .isEqualTo(Files.getPosixFilePermissions(Files.createFile(tmp.resolve("direct"))));
    }
}
