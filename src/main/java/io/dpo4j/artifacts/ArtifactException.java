package io.dpo4j.artifacts;

/** An artifact directory that cannot be used: a missing file, a checksum mismatch, a contract violation. */
public final class ArtifactException extends RuntimeException {
    /** @param message what is wrong, naming the file and the expected vs found value */
    public ArtifactException(String message) {
        super(message);
    }

    /** @param message what is wrong; @param cause the underlying failure */
    public ArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
