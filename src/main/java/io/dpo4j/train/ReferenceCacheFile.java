package io.dpo4j.train;

import com.google.common.hash.HashCode;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The on-disk format of a {@link ReferenceCache}: an append-only log.
 *
 * <pre>
 * header  (44 bytes): "DPOR" | version 2 (int) | SHA-256 of the cache key (32 bytes) | CRC32C of the previous 40 bytes
 * record  (28 bytes): pair key (16 bytes) | chosen log-prob (float) | rejected log-prob (float) | CRC32C of the 24 bytes
 * </pre>
 *
 * Each flush appends one segment (the records computed since the last flush) and never rewrites earlier bytes.
 * Every record carries its own checksum, verified on read: a record whose checksum fails is skipped (its pair is
 * recomputed), and a torn record at the end (a flush cut short) is dropped and cut off before the next append.
 * Nothing that fails its checksum is ever returned. Big-endian throughout.
 */
final class ReferenceCacheFile {
    static final int MAGIC = 0x44504F52; // "DPOR"
    static final int VERSION = 2;
    static final int HEADER_BYTES = 44;
    static final int RECORD_BYTES = 28;
    static final int KEY_BYTES = 16;
    private static final String FRESH = "; it will be replaced and its pairs recomputed";

    private final Path file;
    private final byte[] keyDigest;
    /** Offset after the last complete record; appends start here. -1 until the file has a valid header. */
    private long validEnd = -1;

    /**
     * @param file      the cache file (need not exist)
     * @param keyDigest SHA-256 of the cache key (32 bytes), recorded in the header and checked on read
     */
    ReferenceCacheFile(Path file, byte[] keyDigest) {
        if (keyDigest.length != 32) {
            throw new IllegalArgumentException("keyDigest: expected 32 bytes, found " + keyDigest.length);
        }
        this.file = file;
        this.keyDigest = keyDigest.clone();
    }

    /**
     * Reads every record whose checksum holds into {@code into} (later records win). Problems are reported through
     * {@code warn}, one line each; an unusable header makes the next append start a fresh file.
     */
    void read(Map<HashCode, float[]> into, Consumer<String> warn) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        long size;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(raw)) {
            size = Files.size(file);
            byte[] header = new byte[HEADER_BYTES];
            try {
                in.readFully(header);
            } catch (EOFException e) {
                warn.accept(problem("expected a " + HEADER_BYTES + "-byte header, found " + size + " bytes" + FRESH));
                return;
            }
            String bad = checkHeader(header);
            if (bad != null) {
                warn.accept(problem(bad + FRESH));
                return;
            }
            long offset = HEADER_BYTES;
            long skipped = 0;
            byte[] rec = new byte[RECORD_BYTES];
            while (size - offset >= RECORD_BYTES) {
                in.readFully(rec);
                ByteBuffer b = ByteBuffer.wrap(rec);
                if (b.getInt(24) != crc(rec, 0, 24)) {
                    skipped++;
                } else {
                    into.put(HashCode.fromBytes(Arrays.copyOf(rec, KEY_BYTES)),
                            new float[] {b.getFloat(KEY_BYTES), b.getFloat(KEY_BYTES + 4)});
                }
                offset += RECORD_BYTES;
            }
            if (skipped > 0) {
                warn.accept(problem(skipped + " record(s) failed their CRC32C checksum and were skipped; "
                        + "those pairs will be recomputed"));
            }
            if (offset < size) {
                warn.accept(problem("torn record at the end (" + (size - offset) + " of " + RECORD_BYTES
                        + " bytes, an interrupted flush) dropped; that pair will be recomputed"));
            }
            validEnd = offset;
        } catch (IOException e) {
            warn.accept(problem("cannot read it (" + e.getMessage() + ")" + FRESH));
            into.clear();
            validEnd = -1;
        }
    }

    /** Appends one segment of records (key → {chosen, rejected}) and forces it to disk. */
    void append(Map<HashCode, float[]> records) {
        if (records.isEmpty()) {
            return;
        }
        ByteBuffer seg = ByteBuffer.allocate(records.size() * RECORD_BYTES);
        for (Map.Entry<HashCode, float[]> e : records.entrySet()) {
            int start = seg.position();
            seg.put(e.getKey().asBytes()).putFloat(e.getValue()[0]).putFloat(e.getValue()[1]);
            seg.putInt(crc(seg.array(), start, 24));
        }
        seg.flip();
        try {
            if (validEnd < 0) {
                startFresh();
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (ch.size() > validEnd) {
                    ch.truncate(validEnd); // only a torn tail or bytes another writer left half-way
                }
                ch.position(validEnd);
                while (seg.hasRemaining()) {
                    ch.write(seg);
                }
                ch.force(false);
                validEnd = ch.position();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("appending to reference cache " + file, e);
        }
    }

    private void startFresh() throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        h.putInt(MAGIC).putInt(VERSION).put(keyDigest);
        h.putInt(crc(h.array(), 0, 40));
        io.dpo4j.util.Files2.writeAtomically(file, h.array());
        validEnd = HEADER_BYTES;
    }

    private String checkHeader(byte[] header) {
        ByteBuffer b = ByteBuffer.wrap(header);
        if (b.getInt(0) != MAGIC) {
            return "expected a dpo4j reference cache (magic DPOR), found other bytes";
        }
        if (b.getInt(4) != VERSION) {
            return "expected format version " + VERSION + ", found " + b.getInt(4);
        }
        if (b.getInt(40) != crc(header, 0, 40)) {
            return "header fails its CRC32C checksum";
        }
        if (!Arrays.equals(Arrays.copyOfRange(header, 8, 40), keyDigest)) {
            return "header belongs to another cache key";
        }
        return null;
    }

    private String problem(String what) {
        return "warning: reference cache " + file + ": " + what;
    }

    static int crc(byte[] bytes, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(bytes, off, len);
        return (int) c.getValue();
    }
}
