package io.dpo4j.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the safetensors format (float32 tensors): an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to {@code {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}} (plus {@code __metadata__}),
 * padded with spaces to a multiple of 8 bytes, then the tensors' bytes back to back, little-endian, in header order.
 */
public final class Safetensors {
    private Safetensors() {}

    /**
     * One tensor.
     *
     * @param name   tensor name
     * @param shape  dimensions
     * @param values row-major values; length = product of the dimensions
     */
    public record Tensor(String name, long[] shape, float[] values) {
        /** Validates the size. */
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != values.length) {
                throw new IllegalArgumentException("tensor " + name + ": expected " + n + " values for shape "
                        + java.util.Arrays.toString(shape) + ", found " + values.length);
            }
        }
    }

    /** Writes {@code tensors} to {@code out} (not closed). */
    public static void write(OutputStream out, List<Tensor> tensors) throws IOException {
        ObjectNode header = Files2.JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", "F32");
            var shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long bytes = 4L * t.values().length;
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = Files2.JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) {
            out.write(' ');
        }
        for (Tensor t : tensors) {
            ByteBuffer b = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.values());
            out.write(b.array());
        }
    }
}
