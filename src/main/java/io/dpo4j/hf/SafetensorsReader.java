package io.dpo4j.hf;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a safetensors file (the layout {@link Safetensors} writes) into float32 tensors: {@code F32} as stored,
 * {@code F16}, {@code BF16} and {@code F64} converted. Every header entry is checked before any tensor is read (dtype,
 * shape, {@code data_offsets} inside the data section and of the size the shape needs); failures name the file and
 * the tensor with what was expected and what was found.
 */
public final class SafetensorsReader {
    /** Largest header accepted (PEFT adapters' headers are a few KB). */
    static final long MAX_HEADER_BYTES = 16L << 20;

    private SafetensorsReader() {}

    /**
     * @param file     a safetensors file
     * @param maxBytes largest file accepted (checked before reading)
     * @return tensor name → tensor (float32 values), in header order
     */
    public static Map<String, Safetensors.Tensor> read(Path file, long maxBytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > maxBytes) {
                throw bad(file, "at most " + maxBytes + " bytes", size + " bytes");
            }
            if (size < 8) {
                throw bad(file, "an 8-byte header length", size + " bytes in all");
            }
            long headerLen = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw bad(file, "a header length of 2.." + Math.min(MAX_HEADER_BYTES, size - 8) + " bytes",
                        String.valueOf(headerLen));
            }
            JsonNode header;
            byte[] json = new byte[(int) headerLen];
            readFully(ch, 8, (int) headerLen).get(json);
            try {
                header = Files2.JSON.readTree(json);
            } catch (IOException e) {
                throw bad(file, "a JSON header", "invalid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            if (header == null || !header.isObject()) {
                throw bad(file, "a JSON object as header", header == null ? "nothing" : header.getNodeType().toString());
            }
            long dataStart = 8 + headerLen;
            Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                out.put(e.getKey(), tensor(file, ch, e.getKey(), e.getValue(), dataStart, size));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + IoReason.of(e), e);
        }
    }

    private static Safetensors.Tensor tensor(Path file, FileChannel ch, String name, JsonNode e, long dataStart,
                                             long size) throws IOException {
        String dtype = e.path("dtype").asText("");
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            case "F64" -> 8;
            default -> throw bad(file, "tensor '" + name + "' dtype one of [F32, F16, BF16, F64]", "'" + dtype + "'");
        };
        JsonNode shapeNode = e.path("shape");
        JsonNode offsets = e.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw bad(file, "tensor '" + name + "' with 'shape' and two 'data_offsets'", e.toString());
        }
        long[] shape = new long[shapeNode.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToExactIntegral() || d.asLong() < 0) {
                throw bad(file, "tensor '" + name + "' shape of non-negative integers", shapeNode.toString());
            }
            shape[i] = d.asLong();
            n = Math.multiplyExact(n, shape[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end - begin != n * width || dataStart + end > size) {
            throw bad(file, "tensor '" + name + "' data_offsets of " + n * width + " bytes inside the "
                    + (size - dataStart) + "-byte data section", offsets.toString());
        }
        if (n > Integer.MAX_VALUE / 8) {
            throw bad(file, "tensor '" + name + "' small enough for one Java array", n + " values");
        }
        ByteBuffer b = readFully(ch, dataStart + begin, (int) (n * width)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (dtype) {
                case "F32" -> b.getFloat();
                case "F16" -> Float.float16ToFloat(b.getShort());
                case "BF16" -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                default -> (float) b.getDouble();
            };
        }
        return new Safetensors.Tensor(name, shape, v);
    }

    private static ByteBuffer readFully(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (pos + b.position()));
            }
        }
        return b.flip();
    }

    private static IllegalArgumentException bad(Path file, String expected, String found) {
        return new IllegalArgumentException(file + ": expected " + expected + ", found " + found);
    }
}
