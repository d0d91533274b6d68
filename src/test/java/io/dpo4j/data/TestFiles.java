package io.dpo4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers: test resources under data/ and the committed tiny artifacts. */
final class TestFiles {

    static final ObjectMapper JSON = new ObjectMapper();

    private TestFiles() {
    }

    static Path resource(String name) {
        URL url = TestFiles.class.getResource("/data/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource data/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return JSON.readTree(resource(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's artifacts/ directory (tests run from the repository root). */
    static Path artifact(String name) {
        Path dir = Path.of("artifacts", name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("expected artifact directory " + dir.toAbsolutePath()
                    + " (run tests from the repository root)");
        }
        return dir;
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
