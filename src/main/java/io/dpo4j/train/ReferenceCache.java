package io.dpo4j.train;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.util.Files2;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reference log-probs on disk. One file per (reference model checksum, data checksum, tokenization settings); inside
 * it, one entry per tokenized pair keyed by a hash of its token ids, so a changed split reuses every pair already
 * computed. The file is an append-only log ({@link ReferenceCacheFile}): each {@link #flush()} appends the entries
 * computed since the previous one and never rewrites earlier bytes; every entry carries a CRC32C checksum verified on
 * read, so a corrupt entry or a torn trailing flush is dropped with a one-line warning and recomputed, never used.
 */
public final class ReferenceCache {
    private final ReferenceCacheFile file;
    private final Path path;
    private final Map<HashCode, float[]> entries = new LinkedHashMap<>();
    private final Map<HashCode, float[]> pending = new LinkedHashMap<>();

    private ReferenceCache(Path path, byte[] keyDigest) {
        this.path = path;
        this.file = new ReferenceCacheFile(path, keyDigest);
    }

    /**
     * Regular expression of the cache file names of the former rewrite-on-flush format ({@code ref-<hex key>.bin});
     * their temporaries, {@code <name>.tmp-<digits>}, may be left behind by older versions and are swept by
     * {@link LeftoverSweeper}. The current append-only files ({@code ref-<key>.v2.bin}) have no temporaries.
     */
    public static final String FILE_NAME_REGEX = "ref-[0-9a-f]{16,64}\\.bin";

    /**
     * Opens (or starts) the cache file for a key; problems with the file are warned about on standard error.
     *
     * @param dir            cache directory
     * @param modelChecksum  SHA-256 of reference_model.onnx
     * @param dataChecksum   SHA-256 of the data file(s)
     * @param settings       tokenization settings (tokenizer checksum, lengths, truncation, fields)
     */
    public static ReferenceCache open(Path dir, String modelChecksum, String dataChecksum, String settings) {
        return open(dir, modelChecksum, dataChecksum, settings, System.err::println);
    }

    /**
     * As {@link #open(Path, String, String, String)}, reporting problems with the file (one line each) to
     * {@code warn}: a corrupt entry or torn trailing flush is dropped, an unusable file is replaced on the next flush.
     */
    public static ReferenceCache open(Path dir, String modelChecksum, String dataChecksum, String settings,
                                      Consumer<String> warn) {
        String key = Files2.sha256((modelChecksum + "|" + dataChecksum + "|" + settings)
                .getBytes(StandardCharsets.UTF_8));
        // ".v2": the append-only format; files of the earlier whole-file format (ref-<key>.bin) are left alone
        ReferenceCache c = new ReferenceCache(dir.resolve("ref-" + key.substring(0, 32) + ".v2.bin"),
                HexFormat.of().parseHex(key));
        c.file.read(c.entries, warn);
        return c;
    }

    /** @return the cache file */
    public Path file() {
        return path;
    }

    /** @return cached (chosen, rejected) reference log-probs of the pair, or null */
    public float[] get(TokenizedPair p) {
        float[] v = entries.get(keyOf(p));
        return v == null ? null : v.clone();
    }

    /** Records the reference log-probs of a pair (kept in memory until {@link #flush()}). */
    public void put(TokenizedPair p, float chosen, float rejected) {
        HashCode k = keyOf(p);
        float[] v = {chosen, rejected};
        entries.put(k, v);
        pending.put(k, v);
    }

    /** @return entries held */
    public int size() {
        return entries.size();
    }

    /** Appends the entries recorded since the last flush to the cache file and forces them to disk. */
    public void flush() {
        file.append(pending);
        pending.clear();
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
