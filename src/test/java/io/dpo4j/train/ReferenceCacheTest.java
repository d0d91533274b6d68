package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.data.PreferencePair;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference cache file is append-only and checksummed: corruption is dropped and recomputed, never used. */
class ReferenceCacheTest {
    private static final Path MODEL = Path.of("artifacts/tiny-gpt2/reference_model.onnx");
    private static final int HEADER = ReferenceCacheFile.HEADER_BYTES;
    private static final int RECORD = ReferenceCacheFile.RECORD_BYTES;

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    private static TokenizedPair pair(int i) {
        PreferencePair src = new PreferencePair("p" + i, "prompt", "a", "b", 1.0, 1.0, "test:" + i);
        return new TokenizedPair(src, new long[] {10 + i, 11, 12}, new long[] {20, 21 + i}, new long[] {30, 31});
    }

    private ReferenceCache open() {
        return ReferenceCache.open(tmp, "model", "data", "settings", warnings::add);
    }

    @Test
    void flippedFloatByteMakesThatEntryRecomputedNotUsed() throws IOException {
        List<TokenizedPair> pairs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(pair(i));
        }
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession s = InferenceSession.open(env, SessionConfig.cpuDefaults(), MODEL)) {
            ReferenceCache cache = open();
            float[][] fresh = ReferencePass.compute(s, pairs, 4, 4095, cache, n -> { });
            Path file = cache.file();
            assertThat(Files.size(file)).isEqualTo(HEADER + 4L * RECORD);

            // pair 1 is the second record; flip the lowest byte of its chosen log-prob (offset 16..19 in the record)
            long at = HEADER + RECORD + 19;
            byte[] bytes = Files.readAllBytes(file);
            bytes[(int) at] ^= 0x01;
            Files.write(file, bytes);

            ReferenceCache reopened = open();
            assertThat(reopened.size()).isEqualTo(3);
            assertThat(reopened.get(pairs.get(1))).as("the corrupt entry is not used").isNull();
            assertThat(reopened.get(pairs.get(0))).containsExactly(fresh[0][0], fresh[1][0]);
            assertThat(warnings).singleElement().asString().contains(file.toString()).contains("1 record(s)")
                    .contains("CRC32C").doesNotContain("\n");

            float[][] again = ReferencePass.compute(s, pairs, 4, 4095, reopened, n -> { });
            assertThat(again[0]).containsExactly(fresh[0]);
            assertThat(again[1]).containsExactly(fresh[1]);
            assertThat(Files.size(file)).as("only the recomputed pair is appended").isEqualTo(HEADER + 5L * RECORD);
            assertThat(open().get(pairs.get(1))).containsExactly(fresh[0][1], fresh[1][1]);
        }
    }

    @Test
    void fileTruncatedMidSegmentKeepsEarlierSegments() throws IOException {
        ReferenceCache cache = open();
        for (int i = 0; i < 3; i++) {
            cache.put(pair(i), -i, -10 - i);
        }
        cache.flush();
        cache.put(pair(3), -3, -13);
        cache.put(pair(4), -4, -14);
        cache.flush();
        Path file = cache.file();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(HEADER + 3L * RECORD + 11); // the second flush was cut inside its first record
        }

        ReferenceCache reopened = open();
        assertThat(reopened.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(reopened.get(pair(i))).containsExactly(-i, -10 - i);
        }
        assertThat(reopened.get(pair(3))).isNull();
        assertThat(warnings).singleElement().asString().contains("torn record").contains("11 of 28 bytes");

        reopened.put(pair(3), -3, -13);
        reopened.flush(); // the torn tail is cut off first, so the new record is aligned and readable
        warnings.clear();
        ReferenceCache third = open();
        assertThat(third.size()).isEqualTo(4);
        assertThat(third.get(pair(3))).containsExactly(-3, -13);
        assertThat(warnings).isEmpty();
        assertThat(Files.size(file)).isEqualTo(HEADER + 4L * RECORD);
    }

    @Test
    void flushesAppendWithoutRewritingEarlierBytes() throws IOException {
        ReferenceCache cache = open();
        byte[] before = new byte[0];
        for (int flush = 0; flush < 5; flush++) {
            cache.put(pair(2 * flush), flush, -flush);
            cache.put(pair(2 * flush + 1), flush + 0.5f, -flush - 0.5f);
            cache.flush();
            byte[] now = Files.readAllBytes(cache.file());
            if (flush > 0) {
                assertThat(now).startsWith(before);
            }
            assertThat(now).hasSize(HEADER + (flush + 1) * 2 * RECORD);
            before = now;
        }
        cache.flush(); // nothing new: nothing written
        assertThat(Files.readAllBytes(cache.file())).isEqualTo(before);
        assertThat(open().size()).isEqualTo(10);
        assertThat(warnings).isEmpty();
    }

    @Test
    void unreadableFileIsReplacedNotTrusted() throws IOException {
        ReferenceCache first = open();
        Files.write(first.file(), "not a cache file at all, just some text bytes".getBytes());
        ReferenceCache cache = open();
        assertThat(cache.size()).isZero();
        assertThat(warnings).singleElement().asString().contains("magic DPOR").contains("recomputed");
        cache.put(pair(0), -1, -2);
        cache.flush();
        warnings.clear();
        assertThat(open().get(pair(0))).containsExactly(-1, -2);
        assertThat(warnings).isEmpty();
        assertThat(ReferenceCache.open(tmp, "other-model", "data", "settings", warnings::add).size()).isZero();
    }
}
