package io.dpo4j.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Resolves a file name read from a file (a manifest entry, a checkpoint listing) inside one directory, refusing
 * anything that could make dpo4j read outside it: absolute names, {@code ..} segments, names that normalise outside,
 * symbolic links whose real path leaves the directory, and entries that are not regular files (directories, FIFOs,
 * sockets, devices). Only file metadata is consulted: nothing is opened, so a FIFO cannot block and nothing outside
 * the directory is ever read.
 */
public final class ConfinedPath {

    /** A name that is not a regular file inside the directory; the message says what was found instead. */
    public static final class Violation extends Exception {
        private final boolean missing;

        Violation(String found, boolean missing) {
            super(found, null, false, false);
            this.missing = missing;
        }

        /** @return true when the name is well formed but nothing exists there */
        public boolean missing() {
            return missing;
        }
    }

    /**
     * A regular file inside the directory.
     *
     * @param path  the directory joined with the name (not the link target, so tools see the name as listed)
     * @param bytes its size
     */
    public record Found(Path path, long bytes) {}

    private ConfinedPath() {}

    /**
     * Resolves {@code name} inside {@code dir}.
     *
     * @param dir  the directory (must exist)
     * @param name a relative name such as {@code tokenizer.json}
     * @return the file and its size
     * @throws Violation describing what was found instead of a regular file inside {@code dir}
     */
    public static Found resolve(Path dir, String name) throws Violation {
        checkSyntax(name);
        Path dirReal;
        try {
            dirReal = dir.toRealPath();
        } catch (IOException e) {
            throw new Violation("a directory that cannot be resolved", false);
        }
        Path base = dir.toAbsolutePath().normalize();
        Path lexical = base.resolve(name).normalize();
        if (!lexical.startsWith(base) || lexical.equals(base)) {
            throw new Violation("a name that normalises outside the directory", false);
        }
        try {
            Files.readAttributes(lexical, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new Violation("no such file", true);
        } catch (IOException e) {
            throw new Violation("an entry whose metadata cannot be read", false);
        }
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw new Violation("a symbolic link to a file that does not exist", true);
        } catch (IOException e) {
            throw new Violation("a symbolic link that cannot be resolved", false);
        }
        if (!real.startsWith(dirReal)) {
            throw new Violation("a symbolic link whose target is outside the directory", false);
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new Violation("an entry whose metadata cannot be read", false);
        }
        if (attrs.isDirectory()) {
            throw new Violation("a directory", false);
        }
        if (!attrs.isRegularFile()) {
            throw new Violation("a FIFO, socket or device, not a regular file", false);
        }
        return new Found(dir.resolve(name), attrs.size());
    }

    private static void checkSyntax(String name) throws Violation {
        if (name == null || name.isEmpty()) {
            throw new Violation("an empty name", false);
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            throw new Violation("an absolute path", false);
        }
        for (String segment : name.split("[/\\\\]")) {
            if (segment.equals("..")) {
                throw new Violation("a '..' segment", false);
            }
        }
        try {
            if (Path.of(name).isAbsolute()) {
                throw new Violation("an absolute path", false);
            }
        } catch (InvalidPathException e) {
            throw new Violation("a name that is not a valid path", false);
        }
    }
}
