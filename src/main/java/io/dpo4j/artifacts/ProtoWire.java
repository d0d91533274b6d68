package io.dpo4j.artifacts;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format of an ONNX model held in a {@link ByteBuffer}: varints, fixed-width fields, and the
 * fields of a message one by one. Shared by {@link OnnxExternalData}, {@link OnnxRelocate} and
 * {@link OnnxInitializerOffsets}; every malformed input fails with an {@link ArtifactException} reading
 * {@code "<file>: expected an ONNX model protobuf, found <what> at byte <n>"}. Positions are absolute byte indices
 * into the buffer; a message is a range [start, end). Not thread-safe ({@link #next()} is state).
 */
final class ProtoWire {
    /** Wire types of protobuf (groups, 3 and 4, are not used by ONNX and fail). */
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    /** Receives one field of a message. */
    @FunctionalInterface
    interface FieldVisitor {
        /**
         * @param field    the field number
         * @param wire     its wire type ({@link #VARINT}, {@link #FIXED64}, {@link #LEN} or {@link #FIXED32})
         * @param tagStart the position of its tag
         * @param start    the position of its value (for {@link #LEN}, after the length)
         * @param end      the position after its value
         */
        void field(int field, int wire, int tagStart, int start, int end);
    }

    private final ByteBuffer buf;
    private final String file;
    private final boolean namesLength;
    /** Position after the last varint read. */
    private int next;

    /**
     * @param buf         the model bytes
     * @param file        the model's name in messages
     * @param namesLength whether a length-delimited field past the end of its message names its length in the
     *                    message ({@code "a length-delimited field of 9 bytes past ..."}) or not
     */
    ProtoWire(ByteBuffer buf, String file, boolean namesLength) {
        this.buf = buf;
        this.file = file;
        this.namesLength = namesLength;
    }

    /** Calls {@code visitor} for every field of the message in [start, end), in order, each checked to fit. */
    void fields(int start, int end, FieldVisitor visitor) {
        int pos = start;
        while (pos < end) {
            int tagStart = pos;
            long tag = varint(pos, end);
            pos = next;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            int valueStart = pos;
            switch (wire) {
                case VARINT -> { varint(pos, end); pos = next; }
                case FIXED64 -> pos = skip(pos, 8, end);
                case FIXED32 -> pos = skip(pos, 4, end);
                case LEN -> {
                    long len = varint(pos, end);
                    pos = next;
                    if (len < 0 || len > end - pos) {
                        throw malformed(pos, "a length-delimited field" + (namesLength ? " of " + len + " bytes" : "")
                                + " past the end of its message");
                    }
                    valueStart = pos;
                    pos += (int) len;
                }
                default -> throw malformed(pos, "wire type " + wire + " (expected 0, 1, 2 or 5)");
            }
            visitor.field(field, wire, tagStart, valueStart, pos);
        }
    }

    /** @return the varint at {@code pos}, which must end before {@code end}; {@link #next()} is the byte after it */
    long varint(int pos, int end) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw malformed(pos, "a varint cut off by the end of its message");
            }
            byte b = buf.get(pos++);
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                next = pos;
                return v;
            }
        }
        throw malformed(pos, "a varint longer than 10 bytes");
    }

    /** @return the position after the last varint read by {@link #varint} */
    int next() {
        return next;
    }

    /** @return {@code pos + n}, after checking that {@code n} bytes remain before {@code end} */
    int skip(int pos, int n, int end) {
        if (end - pos < n) {
            throw malformed(pos, "a fixed-width field cut off by the end of its message");
        }
        return pos + n;
    }

    /** @return the bytes [start, end) decoded as UTF-8 */
    String string(int start, int end) {
        byte[] b = new byte[end - start];
        buf.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** @return the error for a malformed model: {@code found} is what was found at byte {@code pos} */
    ArtifactException malformed(int pos, String found) {
        return new ArtifactException(file + ": expected an ONNX model protobuf, found " + found + " at byte " + pos);
    }
}
