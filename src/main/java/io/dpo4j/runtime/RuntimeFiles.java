package io.dpo4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** File checks made before handing a path to ORT, so the error names the path and what was expected. */
final class RuntimeFiles {
    private RuntimeFiles() {
    }

    static void requireFile(Path path, String action) {
        if (path == null) {
            throw new IllegalArgumentException(action + ": expected a file path, found null");
        }
        if (!Files.isRegularFile(path)) {
            throw new OrtRuntimeException(action, "ORT_NO_SUCHFILE", "expected a readable file at " + path
                    + ", found " + (Files.exists(path) ? "a directory or special file" : "nothing"));
        }
    }
}
