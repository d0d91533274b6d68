package io.dpo4j.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.util.ConfinedPath;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The checksums in {@code trainer_state.json} field {@code files}: SHA-256 and size of every file of a checkpoint
 * directory except trainer_state.json itself — the ORT checkpoint and anything ORT writes next to it (e.g.
 * {@code checkpoint.data}, the external data of large models). On load every listed file must be a regular file
 * inside the directory ({@link ConfinedPath}) with the recorded size (checked before hashing) and SHA-256, and no
 * unlisted file may be present. States written before this field existed carry only {@code checkpoint_sha256}, which
 * still verifies the ORT checkpoint file.
 */
public final class CheckpointFiles {

    /**
     * One file's record.
     *
     * @param sha256 lowercase hex SHA-256 of its bytes
     * @param bytes  its size
     */
    public record Entry(@JsonProperty("sha256") String sha256, @JsonProperty("bytes") long bytes) {}

    private CheckpointFiles() {}

    /** @return the record of every file of {@code dir} except {@link CheckpointStore#STATE_FILE}, sorted by name */
    static Map<String, Entry> of(Path dir) {
        Map<String, Entry> out = new TreeMap<>();
        for (Path p : entries(dir)) {
            String name = p.getFileName().toString();
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("checkpoint " + dir + ": expected only regular files, found '" + name
                        + "' (a directory, link or special file)");
            }
            try {
                out.put(name, new Entry(Files2.sha256(p), Files.size(p)));
            } catch (IOException e) {
                throw new UncheckedIOException("reading the size of " + p, e);
            }
        }
        return out;
    }

    /**
     * Verifies {@code dir} against its state: every file when the state lists them, else (an older state) the ORT
     * checkpoint file against {@code checkpoint_sha256}. Sizes are compared first (a file of the wrong size is not
     * hashed); the files are then hashed in parallel, large unchanged ones through {@code cache}.
     *
     * @throws IllegalStateException naming the file and the expected vs found size or checksum
     */
    static void verify(Path dir, TrainerState state, HashCache cache) {
        Map<String, Entry> files = state.files();
        if (files == null) {
            verifyAll(dir, Map.of(CheckpointStore.ORT_FILE, new Entry(state.checkpointSha256(), -1)), cache);
            return;
        }
        Entry ort = files.get(CheckpointStore.ORT_FILE);
        if (ort == null || !ort.sha256().equals(state.checkpointSha256())) {
            throw new IllegalStateException(dir.resolve(CheckpointStore.STATE_FILE) + ": field 'files': expected an "
                    + "entry '" + CheckpointStore.ORT_FILE + "' with sha256 " + state.checkpointSha256()
                    + " (field 'checkpoint_sha256'), found " + (ort == null ? "none" : ort.sha256()));
        }
        for (Path p : entries(dir)) {
            String name = p.getFileName().toString();
            if (!files.containsKey(name)) {
                throw new IllegalStateException("checkpoint " + dir + ": found file '" + name + "' that "
                        + CheckpointStore.STATE_FILE + " field 'files' does not cover (expected only "
                        + files.keySet() + "); it was added after the checkpoint was written");
            }
        }
        verifyAll(dir, files, cache);
    }

    private static void verifyAll(Path dir, Map<String, Entry> expected, HashCache cache) {
        Map<String, Path> found = new TreeMap<>();
        for (Map.Entry<String, Entry> e : new TreeMap<>(expected).entrySet()) {
            found.put(e.getKey(), confinedOfSize(dir, e.getKey(), e.getValue()));
        }
        Map<Path, String> sums = cache.sha256All(List.copyOf(found.values())).sums();
        for (Map.Entry<String, Path> e : found.entrySet()) {
            String want = expected.get(e.getKey()).sha256();
            String got = sums.get(e.getValue());
            if (!got.equals(want)) {
                throw new IllegalStateException("checkpoint " + e.getValue() + " is corrupt: "
                        + CheckpointStore.STATE_FILE + " expects sha256 " + want + ", file has " + got);
            }
        }
    }

    private static Path confinedOfSize(Path dir, String name, Entry expected) {
        ConfinedPath.Found f;
        try {
            f = ConfinedPath.resolve(dir, name);
        } catch (ConfinedPath.Violation v) {
            throw new IllegalStateException(dir.resolve(CheckpointStore.STATE_FILE) + ": field 'files': entry '" + name
                    + "': expected a regular file inside " + dir + ", found " + v.getMessage());
        }
        if (expected.bytes() >= 0 && f.bytes() != expected.bytes()) {
            throw new IllegalStateException("checkpoint " + f.path() + " is corrupt: " + CheckpointStore.STATE_FILE
                    + " expects sha256 " + expected.sha256() + " over " + expected.bytes() + " bytes, file has "
                    + f.bytes() + " bytes (not hashed)");
        }
        return f.path();
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().equals(CheckpointStore.STATE_FILE)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing checkpoint " + dir, e);
        }
    }
}
