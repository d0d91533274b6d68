package io.dpo4j.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks on output paths made before any work: an output never names the same file as an input (compared by
 * {@link Files#isSameFile}, so through symbolic links, {@code ..} and hard links), a file output is not a directory,
 * a directory output is not a regular file, and the place it would be created in is a writable directory. Every
 * failure is one line naming the option, the paths involved and the reason.
 */
public final class OutputGuard {
    private OutputGuard() {}

    /**
     * A path the user gave as input.
     *
     * @param what the option (or description) it came from, e.g. {@code --data}
     * @param path the path
     */
    public record Input(String what, Path path) {}

    /**
     * @param what   the output option, e.g. {@code --skip-report}
     * @param output the output file
     * @param inputs the run's inputs (null paths and paths that do not exist are ignored)
     * @throws IllegalArgumentException when {@code output} is the same file as one of {@code inputs}
     */
    public static void requireNotInput(String what, Path output, List<Input> inputs) {
        for (Input in : inputs) {
            if (in.path() != null && sameFile(output, in.path())) {
                throw new IllegalArgumentException(what + " " + output + " is the same file as " + in.what() + " "
                        + in.path() + "; refusing to overwrite an input (expected a different path)");
            }
        }
    }

    /** @return whether both paths exist and name the same file (same device and inode where the system has them) */
    public static boolean sameFile(Path a, Path b) {
        if (!Files.exists(a) || !Files.exists(b)) {
            return false;
        }
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compare " + a + " with " + b + ": " + IoReason.of(e), e);
        }
    }

    /**
     * An output file must not be an existing directory, and its directory must be creatable and writable.
     *
     * @throws IllegalArgumentException naming the option, the path and why
     */
    public static void requireWritableFile(String what, Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(what + " " + file + ": expected a file, found a directory");
        }
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent != null) {
            requireCreatableDir(what + " " + file, parent);
        }
    }

    /**
     * An output directory must not be an existing regular file, and it (or the nearest existing directory it would
     * be created in) must be writable.
     *
     * @throws IllegalArgumentException naming the option, the path and why
     */
    public static void requireWritableDir(String what, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(what + " " + dir + ": expected a directory, found a regular file");
        }
        requireCreatableDir(what + " " + dir, dir.toAbsolutePath().normalize());
    }

    private static void requireCreatableDir(String subject, Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return; // nothing exists up to the root: creating it will report the reason
        }
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException(subject + ": cannot create " + dir + ": " + existing
                    + " is a regular file, expected a directory (Not a directory)");
        }
        if (!Files.isWritable(existing)) {
            throw new IllegalArgumentException(subject + ": cannot write to " + existing + ": Permission denied");
        }
    }
}
