package io.dpo4j.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The reason an I/O operation failed, as a short phrase ("Permission denied", "No space left on device"), for error
 * messages that must say why and not only which path. {@link FileSystemException#getMessage()} is often just the
 * path (an {@link AccessDeniedException} carries no reason at all), so the exception type is translated when the
 * operating system gave no reason text.
 */
public final class IoReason {
    private IoReason() {}

    /** @return the operating system's reason for {@code e}, or a phrase naming its kind when it has none */
    public static String of(IOException e) {
        if (e instanceof FileSystemException fse) {
            if (fse.getReason() != null && !fse.getReason().isBlank()) {
                return fse.getReason();
            }
            return switch (fse) {
                case AccessDeniedException x -> "Permission denied";
                case NoSuchFileException x -> "No such file or directory";
                case FileAlreadyExistsException x -> "File exists";
                case NotDirectoryException x -> "Not a directory";
                case DirectoryNotEmptyException x -> "Directory not empty";
                default -> fse.getClass().getSimpleName();
            };
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
