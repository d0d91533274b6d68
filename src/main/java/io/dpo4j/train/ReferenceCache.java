package io.dpo4j.train;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.util.Files2;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reference log-probs on disk. One file per (reference model checksum, data checksum, tokenization settings); inside
 * it, one entry per tokenized pair keyed by a hash of its token ids, so a changed split reuses every pair already
 * computed. Files are written atomically; a corrupt file is reported and recomputed, never trusted.
 */
public final class ReferenceCache {
    private static final int MAGIC = 0x44504F52; // "DPOR"
    private static final int VERSION = 1;

    private final Path file;
    private final Map<HashCode, float[]> entries = new LinkedHashMap<>();

    private ReferenceCache(Path file) {
        this.file = file;
    }

    /**
     * Regular expression of cache file names ({@code ref-<hex key>.bin}); their temporaries, written by
     * {@link Files2#writeAtomically}, are {@code <name>.tmp-<digits>} and are swept by {@link LeftoverSweeper}.
     */
    public static final String FILE_NAME_REGEX = "ref-[0-9a-f]{16,64}\\.bin";

    /**
     * Opens (or starts) the cache file for a key.
     *
     * @param dir            cache directory
     * @param modelChecksum  SHA-256 of reference_model.onnx
     * @param dataChecksum   SHA-256 of the data file(s)
     * @param settings       tokenization settings (tokenizer checksum, lengths, truncation, fields)
     */
    public static ReferenceCache open(Path dir, String modelChecksum, String dataChecksum, String settings) {
        String key = Files2.sha256((modelChecksum + "|" + dataChecksum + "|" + settings)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ReferenceCache c = new ReferenceCache(dir.resolve("ref-" + key.substring(0, 32) + ".bin"));
        c.readIfPresent();
        return c;
    }

    /** @return the cache file */
    public Path file() {
        return file;
    }

    /** @return cached (chosen, rejected) reference log-probs of the pair, or null */
    public float[] get(TokenizedPair p) {
        return entries.get(keyOf(p));
    }

    /** Records the reference log-probs of a pair (kept in memory until {@link #flush()}). */
    public void put(TokenizedPair p, float chosen, float rejected) {
        entries.put(keyOf(p), new float[] {chosen, rejected});
    }

    /** @return entries held */
    public int size() {
        return entries.size();
    }

    /** Writes every entry to the cache file atomically. */
    public void flush() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(entries.size());
            for (Map.Entry<HashCode, float[]> e : entries.entrySet()) {
                out.write(e.getKey().asBytes());
                out.writeFloat(e.getValue()[0]);
                out.writeFloat(e.getValue()[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Files2.writeAtomically(file, bytes.toByteArray());
    }

    private void readIfPresent() {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException("not a dpo4j reference cache (version " + VERSION + ")");
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                byte[] k = new byte[16];
                in.readFully(k);
                entries.put(HashCode.fromBytes(k), new float[] {in.readFloat(), in.readFloat()});
            }
        } catch (IOException e) {
            System.err.println("warning: ignoring unreadable reference cache " + file + " (" + e.getMessage()
                    + "); it will be recomputed");
            entries.clear();
        }
    }

    static HashCode keyOf(TokenizedPair p) {
        Hasher h = Hashing.murmur3_128().newHasher();
        for (long[] part : new long[][] {p.promptIds(), p.chosenIds(), p.rejectedIds()}) {
            h.putInt(part.length);
            for (long id : part) {
                h.putLong(id);
            }
        }
        return h.hash();
    }
}
