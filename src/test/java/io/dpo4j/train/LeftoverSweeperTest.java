package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup removes exactly dpo4j's own leftover temporaries, and nothing else. */
class LeftoverSweeperTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;

    private Path file(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, "x");
    }

    @Test
    void onlyOurTemporaryNamesAreRemoved() throws Exception {
        Path out = tmp.resolve("run");
        Path ck = out.resolve("checkpoints");
        Path cache = tmp.resolve("cache");
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        FileTime old = FileTime.from(now.minus(LeftoverSweeper.CACHE_TEMP_AGE).minus(Duration.ofSeconds(1)));

        file(ck.resolve("step-000010/trainer_state.json"));
        Path halfCheckpoint = file(ck.resolve("step-000020.tmp-8312/checkpoint")).getParent();
        Path notDigits = file(ck.resolve("step-000020.tmp-abc/x")).getParent();
        Path userDir = file(ck.resolve("notes.tmp-1/x")).getParent();
        Path outside = file(tmp.resolve("elsewhere/keep.txt"));
        Path link = Files.createSymbolicLink(ck.resolve("step-000030.tmp-7"), outside.getParent());
        Path metricsTemp = file(out.resolve("metrics.jsonl.tmp-99"));
        Path metrics = file(out.resolve("metrics.jsonl"));
        Path userTemp = file(out.resolve("my.jsonl.tmp-3"));
        Path cacheFile = file(cache.resolve("ref-" + KEY + ".bin"));
        Path oldTemp = file(cache.resolve("ref-" + KEY + ".bin.tmp-5"));
        Path oldLegacy = file(cache.resolve("ref-" + KEY + ".bin123.tmp"));
        Path freshTemp = file(cache.resolve("ref-" + KEY + ".bin.tmp-6"));
        Path otherOld = file(cache.resolve("other.bin.tmp-1"));
        String entry = "ab".repeat(32) + ".txt";
        Path sumEntry = file(cache.resolve("sha256").resolve(entry));
        Path oldSumTemp = file(cache.resolve("sha256").resolve(entry + ".tmp-17"));
        Path freshSumTemp = file(cache.resolve("sha256").resolve(entry + ".tmp-18"));
        Path otherSumTemp = file(cache.resolve("sha256").resolve("notes.txt.tmp-19"));
        for (Path p : new Path[] {oldTemp, oldLegacy, otherOld, oldSumTemp, otherSumTemp}) {
            Files.setLastModifiedTime(p, old);
        }
        Files.setLastModifiedTime(freshTemp, FileTime.from(now.minus(Duration.ofMinutes(1))));

        assertThat(LeftoverSweeper.sweep(out, cache, now))
                .containsExactlyInAnyOrder(halfCheckpoint, metricsTemp, oldTemp, oldLegacy, oldSumTemp);
        assertThat(halfCheckpoint).doesNotExist();
        assertThat(metricsTemp).doesNotExist();
        assertThat(oldTemp).doesNotExist();
        assertThat(oldLegacy).doesNotExist();
        assertThat(ck.resolve("step-000010/trainer_state.json")).exists();
        for (Path kept : new Path[] {notDigits, userDir, link, outside, metrics, userTemp, cacheFile, freshTemp,
                otherOld, sumEntry, freshSumTemp, otherSumTemp}) {
            assertThat(Files.exists(kept, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(kept.toString()).isTrue();
        }
    }

    @Test
    void missingDirectoriesAreFine() {
        assertThat(LeftoverSweeper.sweep(tmp.resolve("none"), tmp.resolve("nocache"), Instant.now())).isEmpty();
    }
}
