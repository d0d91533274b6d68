package io.dpo4j.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Checksums, atomic writes and the shared JSON mapper. */
public final class Files2 {
    /** Jackson mapper used for every JSON file dpo4j reads or writes (sorted keys, no indentation). */
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Files2() {}

    /** @return lowercase hex SHA-256 of the file's bytes */
    public static String sha256(Path file) {
        MessageDigest md = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " for its checksum", e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * SHA-256 of several files at once: one file per thread on up to {@code availableProcessors} threads, largest
     * first, so an artifact set's two big files (the checkpoint and the weights) are hashed side by side. Every byte
     * of every file is hashed on every call (no cache keyed by size or mtime).
     *
     * @return lowercase hex SHA-256 per file
     */
    public static Map<Path, String> sha256All(List<Path> files) {
        List<Path> order = new ArrayList<>(files);
        order.sort(Comparator.comparingLong(Files2::sizeOrZero).reversed());
        int threads = Math.max(1, Math.min(order.size(), Runtime.getRuntime().availableProcessors()));
        Map<Path, String> out = new ConcurrentHashMap<>();
        if (threads == 1) {
            order.forEach(f -> out.put(f, sha256(f)));
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dpo4j-sha256");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Path f : order) {
                jobs.add(pool.submit(() -> out.put(f, sha256(f))));
            }
            for (Future<?> job : jobs) {
                try {
                    job.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while hashing " + files, e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return lowercase hex SHA-256 of the bytes */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    /** @return a fresh SHA-256 digest */
    public static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Marker between a file's name and the random digits of its temporary sibling: {@code metrics.jsonl.tmp-123}.
     * Only names of the form {@code <name>.tmp-<digits>} are ever swept as leftovers (see {@link #isTempOf}).
     */
    public static final String TEMP_MARK = ".tmp-";

    /**
     * @return a new empty temporary file next to {@code target}, named {@code <target name>.tmp-<digits>}, created
     *     with the default permissions of a new file (not {@link Files#createTempFile}'s owner-only ones), so the file
     *     renamed into place is readable like one written directly
     */
    public static Path createTempSibling(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        for (int attempt = 0; ; attempt++) {
            Path tmp = parent.resolve(target.getFileName() + TEMP_MARK
                    + java.util.concurrent.ThreadLocalRandom.current().nextLong(Long.MAX_VALUE));
            try {
                return Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /**
     * @param fileName  a directory entry's name
     * @param baseRegex regular expression of the final names whose temporaries are meant
     * @return whether {@code fileName} is a temporary sibling ({@code <base>.tmp-<digits>}) of such a name
     */
    public static boolean isTempOf(String fileName, String baseRegex) {
        return fileName.matches("(?:" + baseRegex + ")" + java.util.regex.Pattern.quote(TEMP_MARK) + "\\d+");
    }

    /**
     * Writes bytes to a temporary sibling ({@code <name>.tmp-<digits>}) and renames it over {@code target}, so
     * readers never see half a file; the temporary is removed when writing fails.
     */
    public static void writeAtomically(Path target, byte[] bytes) {
        Path tmp = null;
        try {
            tmp = createTempSibling(target);
            Files.write(tmp, bytes);
            moveAtomically(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + IoReason.of(e), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Fills a directory (the temporary one of {@link #writeDirectoryAtomically}). */
    @FunctionalInterface
    public interface DirectoryFiller {
        /** @param dir the new, empty directory to write into */
        void fill(Path dir) throws IOException;
    }

    /**
     * Builds a directory under a temporary sibling ({@code <name>.tmp-<digits>}) and renames it to {@code output},
     * so readers never see half a directory; the temporary is removed when filling fails.
     *
     * @param output absent or an empty directory (the caller checks; an empty one is replaced)
     * @param fill   writes the directory's files
     */
    public static void writeDirectoryAtomically(Path output, DirectoryFiller fill) {
        Path tmp = null;
        try {
            Path parent = output.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, output.getFileName() + TEMP_MARK);
            fill.fill(tmp);
            if (Files.isDirectory(output)) {
                Files.delete(output); // empty, checked by the caller
            }
            moveAtomically(tmp, output);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + output + ": " + IoReason.of(e), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Deletes a file if it exists, ignoring failures (cleanup of a temporary after an earlier error). */
    public static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the original failure is the one reported
        }
    }

    /** Renames {@code from} to {@code to} atomically where the file system allows it. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a directory tree if it exists (best effort, used for temporary directories). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + dir, e);
        }
    }
}
