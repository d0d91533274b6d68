package io.dpo4j.artifacts;

import io.dpo4j.util.Files2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 sums of large artifact files remembered by file identity, so that a run on a 1B-parameter model does not
 * reread its 8.8 GB of artifacts before every start (issue 11: "hash verification fast for large files ... cached by
 * size + mtime with a full check on demand").
 *
 * <p>An entry says: the file with this real path, device and inode, size, modification time and change time (both to
 * the nanosecond the file system keeps) had this SHA-256 when it was last hashed in full. It is trusted only while
 * all six still match. Writing the file, replacing it (new inode), truncating it or restoring its mtime with
 * {@code touch -r} all change the change time, which no user can set. What the cache cannot see is a change that
 * bypasses the file system (bit rot, a raw block write); {@code dpo4j check-artifacts} rehashes every byte and
 * refreshes the entries, and {@link #none()} (e.g. {@link ArtifactSet#load(Path)}) never trusts an entry.
 *
 * <p>Only files of at least {@link #MIN_BYTES} are cached (smaller ones hash in milliseconds), and only once they
 * have been left unchanged for {@link #SETTLE_NANOS} (a file still being written is hashed, not remembered).
 * Entries are files under {@code <cache-dir>/sha256/}, one per file identity, named by the SHA-256 of that identity
 * and written atomically (temp file and rename), so concurrent runs never see a partial entry. A file system without
 * POSIX attributes (no inode or change time) is always hashed in full.
 */
public final class HashCache {
    /** Smallest file whose sum is cached. */
    public static final long MIN_BYTES = 64L << 20;
    /** Subdirectory of the cache directory holding the entries. */
    public static final String SUBDIR = "sha256";
    /** Names of the entries (a {@code .tmp-<digits>} sibling of one is a write that was cut off). */
    public static final String ENTRY_NAME_REGEX = "[0-9a-f]{64}\\.txt";
    private static final String HEADER = "dpo4j sha256 cache entry v1";
    private static final long MAX_ENTRY_BYTES = 64 << 10;
    /**
     * A file changed less than this before its hashing started is hashed but not remembered: file systems stamp
     * times at a clock tick (milliseconds), so a write in the same tick as the hashed state would keep every time
     * equal (git's "racy clean" problem, handled the same way).
     */
    public static final long SETTLE_NANOS = 2_000_000_000L;

    private final Path dir; // null: every file hashed in full, nothing remembered
    private final boolean trust; // false: every file hashed in full, the fresh sums remembered
    private final long minBytes;
    private final long settleNanos;

    private HashCache(Path dir, boolean trust, long minBytes, long settleNanos) {
        this.dir = dir;
        this.trust = trust;
        this.minBytes = minBytes;
        this.settleNanos = settleNanos;
    }

    /** A cache that trusts nothing and remembers nothing: every byte is hashed. */
    public static HashCache none() {
        return new HashCache(null, false, MIN_BYTES, SETTLE_NANOS);
    }

    /** Entries under {@code cacheDir/sha256} (created on the first write). */
    public static HashCache in(Path cacheDir) {
        return in(cacheDir, MIN_BYTES, SETTLE_NANOS, true);
    }

    /** A cache that rehashes every file but stores the fresh sums under {@code cacheDir/sha256} (a full check). */
    public static HashCache refresh(Path cacheDir) {
        return in(cacheDir, MIN_BYTES, SETTLE_NANOS, false);
    }

    /**
     * As {@link #in} ({@code trust}) or {@link #refresh}, caching files of at least {@code minBytes} whose change time
     * is at least {@code settleNanos} before the hashing started (tests use small files and no settle time).
     */
    public static HashCache in(Path cacheDir, long minBytes, long settleNanos, boolean trust) {
        if (cacheDir == null) {
            throw new IllegalArgumentException("HashCache: expected a cache directory, found null");
        }
        return new HashCache(cacheDir.resolve(SUBDIR), trust, minBytes, settleNanos);
    }

    /**
     * What {@link #sha256All} did: the sums, which files were taken from the cache, how many bytes were hashed, and
     * why an entry could not be written (empty when all were; the sums are right either way).
     */
    public record Result(Map<Path, String> sums, List<Path> fromCache, long hashedBytes, List<String> notWritten) {
        /** Copies the collections. */
        public Result {
            sums = Map.copyOf(sums);
            fromCache = List.copyOf(fromCache);
            notWritten = List.copyOf(notWritten);
        }

        /** One log line: what was hashed and what the cache vouched for. */
        public String summary(double seconds) {
            String line = String.format(java.util.Locale.ROOT, "artifacts verified in %.1f s (SHA-256 of %d files, "
                    + "%.1f MB", seconds, sums.size() - fromCache.size(), hashedBytes / 1e6);
            return line + (fromCache.isEmpty() ? "" : "; " + fromCache.size() + " large files unchanged since they "
                    + "were hashed, sums from the checksum cache; dpo4j check-artifacts rehashes every byte")
                    + (notWritten.isEmpty() ? "" : "; checksum cache not updated: " + notWritten.get(0)) + ")";
        }
    }

    /**
     * SHA-256 of every file: a cached sum where its entry matches the file's identity, otherwise every byte (in
     * parallel, {@link Files2#sha256All}), remembering the sums of large files whose identity did not change while
     * they were read.
     *
     * @throws UncheckedIOException naming the file when a file cannot be read (an entry that cannot be written is
     *     reported in {@link Result#notWritten}: the cache only saves time)
     */
    public Result sha256All(List<Path> files) {
        Map<Path, String> sums = new LinkedHashMap<>();
        List<Path> fromCache = new ArrayList<>();
        Map<Path, Optional<Identity>> before = new LinkedHashMap<>();
        for (Path f : files) {
            Optional<Identity> id = dir == null ? Optional.empty() : Identity.of(f, minBytes);
            Optional<String> hit = trust ? id.flatMap(this::lookup) : Optional.empty();
            if (hit.isPresent()) {
                sums.put(f, hit.get());
                fromCache.add(f);
            } else {
                before.put(f, id);
            }
        }
        long started = System.currentTimeMillis() * 1_000_000L;
        Map<Path, String> hashed = Files2.sha256All(List.copyOf(before.keySet()));
        long bytes = 0;
        List<String> notWritten = new ArrayList<>();
        for (Map.Entry<Path, Optional<Identity>> e : before.entrySet()) {
            Path f = e.getKey();
            String sum = hashed.get(f);
            sums.put(f, sum);
            Optional<Identity> id = e.getValue();
            bytes += f.toFile().length();
            boolean settled = id.isPresent() && started - id.get().changed().to(TimeUnit.NANOSECONDS) >= settleNanos;
            if (settled && id.equals(Identity.of(f, minBytes))) { // unchanged while it was read
                try {
                    remember(id.get(), sum);
                } catch (UncheckedIOException ex) {
                    notWritten.add(ex.getMessage());
                }
            }
        }
        return new Result(sums, fromCache, bytes, notWritten);
    }

    private Optional<String> lookup(Identity id) {
        Path entry = dir.resolve(id.entryName());
        try {
            if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS) || Files.size(entry) > MAX_ENTRY_BYTES) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(entry, StandardCharsets.UTF_8);
            if (lines.size() == 3 && lines.get(0).equals(HEADER) && lines.get(1).equals(id.key())
                    && lines.get(2).matches("[0-9a-f]{64}")) {
                return Optional.of(lines.get(2));
            }
            return Optional.empty(); // another version's entry, or damaged: hash in full and rewrite it
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private void remember(Identity id, String sum) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating the checksum cache directory " + dir, e);
        }
        String text = HEADER + "\n" + id.key() + "\n" + sum + "\n";
        Files2.writeAtomically(dir.resolve(id.entryName()), text.getBytes(StandardCharsets.UTF_8));
    }

    /** A file's identity: what must be unchanged for a remembered sum to hold. */
    record Identity(String realPath, String device, String inode, long size, FileTime modified, FileTime changed) {
        /** Empty when the file is smaller than {@code minBytes} or the file system lacks inode or change time. */
        static Optional<Identity> of(Path file, long minBytes) {
            try {
                Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
                long size = (Long) a.get("size");
                if (size < minBytes) {
                    return Optional.empty();
                }
                return Optional.of(new Identity(file.toRealPath().toString(), String.valueOf(a.get("dev")),
                        String.valueOf(a.get("ino")), size, (FileTime) a.get("lastModifiedTime"),
                        (FileTime) a.get("ctime")));
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                return Optional.empty(); // no POSIX attributes: never cached
            } catch (IOException e) {
                throw new UncheckedIOException("reading the attributes of " + file, e);
            }
        }

        /** One line; the path is last so that no name can forge the other fields. */
        String key() {
            return "dev=" + device + " ino=" + inode + " size=" + size
                    + " mtime_ns=" + modified.to(TimeUnit.NANOSECONDS)
                    + " ctime_ns=" + changed.to(TimeUnit.NANOSECONDS) + " path=" + realPath.replace('\n', '?');
        }

        String entryName() {
            return Files2.sha256(key().getBytes(StandardCharsets.UTF_8)) + ".txt";
        }
    }
}
