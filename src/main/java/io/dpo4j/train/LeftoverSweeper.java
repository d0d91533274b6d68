package io.dpo4j.train;

import io.dpo4j.artifacts.HashCache;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Removes what a killed run leaves behind, at startup and only things named like dpo4j's own temporaries:
 * {@code checkpoints/step-NNNNNN.tmp-<digits>} directories and {@code metrics.jsonl.tmp-<digits>} files in the run
 * directory (safe: the run holds the {@link RunLock}), and {@code ref-<key>.bin.tmp-<digits>} files (or the older
 * {@code ref-<key>.bin<digits>.tmp}) in the reference cache directory, and {@code <sha256>.txt.tmp-<digits>} files in
 * its checksum cache ({@link HashCache}, {@code sha256/}). The cache directory may be shared by runs
 * that are alive, so a cache temporary is removed only when it is older than {@link #CACHE_TEMP_AGE} (a live one
 * exists for the few milliseconds of a write). Nothing else is ever touched.
 */
public final class LeftoverSweeper {
    /** Minimum age of a reference-cache temporary before it counts as left over. */
    public static final Duration CACHE_TEMP_AGE = Duration.ofMinutes(10);

    private LeftoverSweeper() {}

    /**
     * @param outputDir the locked run directory
     * @param cacheDir  the reference cache directory
     * @param now       the current time (cache temporaries older than {@link #CACHE_TEMP_AGE} go)
     * @return the removed paths
     */
    public static List<Path> sweep(Path outputDir, Path cacheDir, Instant now) {
        List<Path> removed = new ArrayList<>();
        sweepDir(new CheckpointStore(outputDir).root(), p -> Files.isDirectory(p)
                && Files2.isTempOf(name(p), CheckpointStore.DIR_NAME.pattern()), removed);
        sweepDir(outputDir, p -> Files.isRegularFile(p)
                && Files2.isTempOf(name(p), java.util.regex.Pattern.quote(RunPreflight.METRICS_FILE)), removed);
        sweepDir(cacheDir, p -> Files.isRegularFile(p) && isCacheTemp(name(p)) && olderThan(p, now), removed);
        sweepDir(cacheDir.resolve(HashCache.SUBDIR), p -> Files.isRegularFile(p)
                && Files2.isTempOf(name(p), HashCache.ENTRY_NAME_REGEX) && olderThan(p, now), removed);
        return removed;
    }

    static boolean isCacheTemp(String name) {
        return Files2.isTempOf(name, ReferenceCache.FILE_NAME_REGEX)
                || name.matches(ReferenceCache.FILE_NAME_REGEX + "\\d+\\.tmp");
    }

    private static void sweepDir(Path dir, Predicate<Path> leftover, List<Path> removed) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(p -> !Files.isSymbolicLink(p)).filter(leftover).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + IoReason.of(e), e);
        }
        for (Path p : found) {
            Files2.deleteTree(p);
            removed.add(p);
        }
    }

    private static boolean olderThan(Path p, Instant now) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(CACHE_TEMP_AGE));
        } catch (IOException e) {
            return false;
        }
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }
}
