package io.dpo4j.artifacts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
        private final ProtoWire wire;
        private final String from;
        private final String to;
        private final String what;

        Rewriter(byte[] buf, String from, String to, String what) {
            this.buf = buf;
            this.wire = new ProtoWire(ByteBuffer.wrap(buf), what, false);
            this.from = from;
            this.to = to;
            this.what = what;
        }

        byte[] message(int start, int end, OnnxExternalData.Kind kind, int depth) {
            if (depth > OnnxExternalData.MAX_DEPTH) {
                throw wire.malformed(start, "nesting deeper than " + OnnxExternalData.MAX_DEPTH);
            }
            if (kind == OnnxExternalData.Kind.ENTRY) {
                return entry(start, end);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
            wire.fields(start, end, (field, type, tagStart, s, e) -> {
                OnnxExternalData.Kind child = type == ProtoWire.LEN ? OnnxExternalData.Walker.child(kind, field) : null;
                if (child == null) {
                    out.write(buf, tagStart, e - tagStart);
                    return;
                }
                long tag = wire.varint(tagStart, s); // re-read: written back as it was read
                byte[] inner = message(s, e, child, depth + 1);
                writeVarint(out, tag);
                writeVarint(out, inner.length);
                out.writeBytes(inner);
            });
            return out.toByteArray();
        }

        /** A StringStringEntryProto: a {@code location} equal to {@code from} gets {@code to}; others fail. */
        private byte[] entry(int start, int end) {
            String key = null;
            String value = null;
            int pos = start;
            while (pos < end) {
                long tag = wire.varint(pos, end);
                pos = wire.next();
                if ((tag & 7) != 2) {
                    throw wire.malformed(pos, "an external_data entry field of wire type " + (tag & 7));
                }
                long len = wire.varint(pos, end);
                pos = wire.next();
                if (len < 0 || len > end - pos) {
                    throw wire.malformed(pos, "an external_data entry past the end of its message");
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

        private static void writeVarint(ByteArrayOutputStream out, long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
