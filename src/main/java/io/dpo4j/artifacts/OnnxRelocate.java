package io.dpo4j.artifacts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites the external-data file name ({@code location}) of every tensor of an ONNX model, so a graph written next
 * to a data file of another name (e.g. {@code policy.onnx} + {@code policy.onnx.data}) still finds its weights. Walks
 * the protobuf wire format like {@link OnnxExternalData}: the messages on the way to each {@code external_data} entry
 * are re-encoded with their new lengths, every other field is copied byte for byte.
 */
public final class OnnxRelocate {
    private OnnxRelocate() {}

    /**
     * @param model ONNX model bytes
     * @param from  the location to replace (any other location fails)
     * @param to    the new location, a plain file name
     * @param what  the model's name in messages
     * @return the rewritten model
     * @throws ArtifactException when the model is malformed or names another external-data file
     */
    public static byte[] relocate(byte[] model, String from, String to, String what) {
        if (to.isEmpty() || to.contains("/") || to.contains("\\") || to.startsWith(".")) {
            throw new IllegalArgumentException("external data location: expected a plain file name, found '" + to + "'");
        }
        return new Rewriter(model, from, to, what).message(0, model.length, OnnxExternalData.Kind.MODEL, 0);
    }

    /** Reads {@code source}, relocates its external data and writes {@code target} (which must not be the source). */
    public static void relocate(Path source, Path target, String from, String to) {
        try {
            Files.write(target, relocate(Files.readAllBytes(source), from, to, source.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("rewriting " + source + " to " + target, e);
        }
    }

    private static final class Rewriter {
        private final byte[] buf;
        private final String from;
        private final String to;
        private final String what;
        private int next;

        Rewriter(byte[] buf, String from, String to, String what) {
            this.buf = buf;
            this.from = from;
            this.to = to;
            this.what = what;
        }

        byte[] message(int start, int end, OnnxExternalData.Kind kind, int depth) {
            if (depth > OnnxExternalData.MAX_DEPTH) {
                throw malformed(start, "nesting deeper than " + OnnxExternalData.MAX_DEPTH);
            }
            if (kind == OnnxExternalData.Kind.ENTRY) {
                return entry(start, end);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
            int pos = start;
            while (pos < end) {
                int fieldStart = pos;
                long tag = varint(pos, end);
                pos = next;
                int wire = (int) (tag & 7);
                switch (wire) {
                    case 0 -> { varint(pos, end); pos = next; }
                    case 1 -> pos = skip(pos, 8, end);
                    case 5 -> pos = skip(pos, 4, end);
                    case 2 -> {
                        long len = varint(pos, end);
                        pos = next;
                        if (len < 0 || len > end - pos) {
                            throw malformed(pos, "a length-delimited field past the end of its message");
                        }
                        OnnxExternalData.Kind child = OnnxExternalData.Walker.child(kind, (int) (tag >>> 3));
                        if (child != null) {
                            byte[] inner = message(pos, pos + (int) len, child, depth + 1);
                            writeVarint(out, tag);
                            writeVarint(out, inner.length);
                            out.writeBytes(inner);
                            pos += (int) len;
                            continue;
                        }
                        pos += (int) len;
                    }
                    default -> throw malformed(pos, "wire type " + wire + " (expected 0, 1, 2 or 5)");
                }
                out.write(buf, fieldStart, pos - fieldStart);
            }
            return out.toByteArray();
        }

        /** A StringStringEntryProto: a {@code location} equal to {@code from} gets {@code to}; others fail. */
        private byte[] entry(int start, int end) {
            String key = null;
            String value = null;
            int pos = start;
            while (pos < end) {
                long tag = varint(pos, end);
                pos = next;
                if ((tag & 7) != 2) {
                    throw malformed(pos, "an external_data entry field of wire type " + (tag & 7));
                }
                long len = varint(pos, end);
                pos = next;
                if (len < 0 || len > end - pos) {
                    throw malformed(pos, "an external_data entry past the end of its message");
                }
                String s = new String(buf, pos, (int) len, StandardCharsets.UTF_8);
                if (tag >>> 3 == OnnxExternalData.ENTRY_KEY) {
                    key = s;
                } else if (tag >>> 3 == OnnxExternalData.ENTRY_VALUE) {
                    value = s;
                }
                pos += (int) len;
            }
            if ("location".equals(key)) {
                if (!from.equals(value)) {
                    throw new ArtifactException(what + ": external data location: expected '" + from + "', found '"
                            + value + "'");
                }
                value = to;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int field = OnnxExternalData.ENTRY_KEY; field <= OnnxExternalData.ENTRY_VALUE; field++) {
                String s = field == OnnxExternalData.ENTRY_KEY ? key : value;
                if (s != null) {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    writeVarint(out, (long) field << 3 | 2);
                    writeVarint(out, b.length);
                    out.writeBytes(b);
                }
            }
            return out.toByteArray();
        }

        private long varint(int pos, int end) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw malformed(pos, "a varint cut off by the end of its message");
                }
                byte b = buf[pos++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    next = pos;
                    return v;
                }
            }
            throw malformed(pos, "a varint longer than 10 bytes");
        }

        private int skip(int pos, int n, int end) {
            if (end - pos < n) {
                throw malformed(pos, "a fixed-width field cut off by the end of its message");
            }
            return pos + n;
        }

        private ArtifactException malformed(int pos, String found) {
            return new ArtifactException(what + ": expected an ONNX model protobuf, found " + found + " at byte " + pos);
        }

        private static void writeVarint(ByteArrayOutputStream out, long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
