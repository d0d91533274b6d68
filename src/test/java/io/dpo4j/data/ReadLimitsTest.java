package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Size limits and file kinds: nothing exhausts memory, stalls tokenization or hangs on a pipe or device. */
class ReadLimitsTest {

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void aTenMegabytePromptIsRefusedQuicklyBeforeTokenization() throws IOException {
        Path f = write("big.jsonl", "{\"prompt\": \"" + "x ".repeat(5_000_000) + "\", \"chosen\": \"a\", \"rejected\": \"b\"}\n"
                + "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n");
        ReadResult r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> PreferenceReader.read(f,
                DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null), null));
        assertThat(r.pairs()).hasSize(1);
        assertThat(r.skipped()).singleElement().satisfies(b -> {
            assertThat(b.line()).isEqualTo(1);
            assertThat(b.field()).isEqualTo("prompt");
            assertThat(b.reason()).isEqualTo("expected at most 1000000 characters, found 10000000; raise "
                    + "--max-prompt-chars or shorten the text");
        });
    }

    @Test
    void moreRowsThanTheLimitIsAnError() throws IOException {
        Path f = write("many.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n".repeat(5));
        DataOptions opts = DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null)
                .withLimits(new ReadLimits(1 << 20, 4, 100));
        assertThatThrownBy(() -> PreferenceReader.read(f, opts, null))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(f + ":5: expected at most 4 rows, found more; raise --max-rows or split the file");
    }

    @Test
    void notARegularFileIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = tmp.resolve("pipe.jsonl");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor()).isZero();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() ->
                PreferenceReader.read(fifo, DataOptions.defaults(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(fifo + ": expected a regular file, found a named pipe, socket or device; the data is read "
                        + "more than once (rows, then its checksum), so write it to a file first"));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() ->
                PreferenceReader.read(Path.of("/dev/zero"), InputFormat.JSONL, DataOptions.defaults(), null))
                .hasMessageStartingWith("/dev/zero: expected a regular file"));
        assertThatThrownBy(() -> PreferenceReader.read(tmp.resolve("missing.jsonl"), DataOptions.defaults(), null))
                .hasMessageEndingWith("missing.jsonl: expected a preference data file, found no such file");
    }

    @Test
    void aHugeFileWithoutLineBreaksFailsAtTheLineLimitWithoutReadingItAll() throws IOException {
        Path zeros = tmp.resolve("zeros.jsonl");
        try (RandomAccessFile f = new RandomAccessFile(zeros.toFile(), "rw")) {
            f.setLength(8L << 30); // sparse: 8 GiB of zero bytes, no line break, no disk used
        }
        DataOptions opts = DataOptions.defaults().withLimits(new ReadLimits(1 << 20, 10, 1000));
        long start = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() ->
                PreferenceReader.read(zeros, opts, null))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(zeros + ":1: expected a line of at most 1048576 bytes, found more (no line break within "
                        + "1048576 bytes); raise --max-line-bytes or check the file"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
