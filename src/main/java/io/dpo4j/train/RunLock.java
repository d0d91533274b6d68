package io.dpo4j.train;

import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive ownership of a run directory: {@code <output>/.lock}, locked with {@link FileChannel#tryLock()} and
 * holding the owner's pid. A second run on the same directory fails at once naming that pid, from another process
 * (the operating system's lock) or from this one (file locks belong to the whole JVM, so a registry of the
 * directories this process holds answers that case). The lock dies with its process, also under {@code kill -9}; a
 * stale {@code .lock} left behind is simply locked again. {@link #close()} deletes the lock file (while still holding
 * it) and, when acquiring created the directory and nothing else was written into it, the directory too, so a run
 * that fails validation leaves nothing behind. The lock file is never opened a second time by its holder: closing
 * any other descriptor of a file drops the process's POSIX lock on it.
 */
public final class RunLock implements AutoCloseable {
    /** Name of the lock file inside the run directory. */
    public static final String FILE = ".lock";

    /** Run directories (real paths) locked, or being locked, by this JVM. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path realDir;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private final Path createdTop;

    private RunLock(Path dir, Path realDir, FileChannel channel, FileLock lock, Path createdTop) {
        this.dir = dir;
        this.realDir = realDir;
        this.lockFile = dir.resolve(FILE);
        this.channel = channel;
        this.lock = lock;
        this.createdTop = createdTop;
    }

    /**
     * Creates {@code dir} if needed and locks it.
     *
     * @throws IllegalStateException when another run (in this or another process) holds it, naming that run's pid
     * @throws UncheckedIOException  when the directory or lock file cannot be created, with the reason
     */
    public static RunLock acquire(Path dir) {
        Path createdTop = createDirectories(dir);
        Path lockFile = dir.resolve(FILE);
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("--output " + dir + ": " + IoReason.of(e), e);
        }
        if (!HELD.add(real)) { // before opening the file: closing a second descriptor would drop our own lock
            throw busy(dir, lockFile, ProcessHandle.current().pid() + ", this process");
        }
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                RunLock got = tryOnce(dir, real, lockFile, createdTop);
                if (got != null) {
                    return got;
                }
            }
            throw new IllegalStateException("--output " + dir + ": could not lock " + lockFile
                    + " (it kept being replaced by other runs)");
        } catch (RuntimeException e) {
            HELD.remove(real);
            throw e;
        }
    }

    /**
     * @return one lock, or null when the lock file was deleted (or replaced) by its previous holder meanwhile (retry).
     *     The path is only ever stat-ed here, never opened a second time: closing any other descriptor of a file
     *     drops this process's POSIX lock on it.
     */
    private static RunLock tryOnce(Path dir, Path real, Path lockFile, Path createdTop) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            Object before = fileKey(lockFile);
            FileLock fl;
            try {
                fl = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                fl = null; // held by this JVM through another path to the same file
            }
            if (fl == null) {
                ch.close();
                throw busy(dir, lockFile, holderPid(lockFile));
            }
            Object after = fileKey(lockFile);
            if (before == null || !before.equals(after)) { // our inode was unlinked by the previous holder
                fl.release();
                ch.close();
                return null;
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(pid), 0);
            ch.force(false);
            return new RunLock(dir, real, ch, fl, createdTop);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("--output " + dir + ": cannot lock " + lockFile + ": " + IoReason.of(e), e);
        }
    }

    /** @return the file's identity (device and inode on Unix), or null when it does not exist */
    private static Object fileKey(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return a.fileKey() != null ? a.fileKey() : a.creationTime();
        } catch (IOException e) {
            return null;
        }
    }

    /** @return the lock file */
    public Path file() {
        return lockFile;
    }

    /** Deletes the lock file, releases the lock, and removes the directory if this lock created it and it is empty. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(lockFile); // while still holding the lock: see tryOnce's check
        } catch (IOException e) {
            System.err.println("warning: cannot delete " + lockFile + ": " + IoReason.of(e));
        }
        releaseOnly();
        HELD.remove(realDir);
        if (createdTop != null) {
            removeEmpty(dir.toAbsolutePath().normalize(), createdTop);
        }
    }

    private void releaseOnly() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }

    private static IllegalStateException busy(Path dir, Path lockFile, String pid) {
        return new IllegalStateException("--output " + dir + " is in use by another run (pid " + pid + ", lock file "
                + lockFile + "); wait for it to finish or choose another --output");
    }

    private static String holderPid(Path lockFile) {
        String s = readOrNull(lockFile);
        String first = s == null ? "" : s.lines().findFirst().orElse("").strip();
        return first.isEmpty() ? "unknown" : first;
    }

    private static String readOrNull(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) { // deleted meanwhile (NoSuchFileException) or unreadable
            return null;
        }
    }

    /** @return the top-most directory created (null if {@code dir} existed) */
    private static Path createDirectories(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path top = null;
        for (Path p = abs; p != null && !Files.exists(p); p = p.getParent()) {
            top = p;
        }
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new UncheckedIOException("--output " + dir + ": cannot create directory: " + IoReason.of(e), e);
        }
        return top;
    }

    private static void removeEmpty(Path dir, Path top) {
        for (Path p = dir; p != null && p.startsWith(top); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to report
            }
        }
    }
}
