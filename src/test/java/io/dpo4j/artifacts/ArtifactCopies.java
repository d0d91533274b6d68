package io.dpo4j.artifacts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;

/** Test helpers: copies of the committed tiny artifacts to tamper with (used across the test tree). */
public final class ArtifactCopies {
    private ArtifactCopies() {}

    /** Copies {@code artifacts/<model>} to {@code parent/<model>}. */
    public static Path copyOf(Path parent, String model) throws IOException {
        Path dst = parent.resolve(model);
        Files.createDirectories(dst);
        try (var files = Files.list(Path.of("artifacts", model))) {
            for (Path f : files.toList()) {
                Files.copy(f, dst.resolve(f.getFileName()));
            }
        }
        return dst;
    }

    /** Rewrites the copy's manifest.json after {@code edit}. */
    static void editManifest(Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode manifest = (ObjectNode) Files2.JSON.readTree(dir.resolve("manifest.json").toFile());
        edit.accept(manifest);
        Files2.JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    }

    /** Records {@code sha256} for {@code name} in the copy's manifest (as a tamperer who can edit it would). */
    static void setChecksum(Path dir, String name, String sha256) throws IOException {
        editManifest(dir, m -> ((ObjectNode) m.get("files")).put(name, sha256));
    }

    /** Replaces {@code file} by a FIFO, or skips the test (with the reason) where mkfifo is unavailable. */
    static void mkfifo(Path file) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        int rc;
        try {
            rc = new ProcessBuilder(List.of("mkfifo", file.toString())).inheritIO().start().waitFor();
        } catch (IOException e) {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0, "mkfifo is not available on this system: cannot create a FIFO");
    }
}
