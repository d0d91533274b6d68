package io.dpo4j.lora;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.artifacts.Manifest;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frozen base tensors of a LoRA artifact set, read from its weights file ({@code lora.base_weights}: float32,
 * little-endian, at the manifest's offsets; the file was checksummed and its offsets bounds-checked by
 * {@link ArtifactSet#load}). One tensor at a time, so a large model is never held whole.
 */
public final class BaseWeights implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final Map<String, Long> offsets;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private BaseWeights(Path file, FileChannel channel, LoraSection lora, Manifest manifest) {
        this.file = file;
        this.channel = channel;
        this.offsets = lora.baseOffsets();
        for (Manifest.Parameter p : manifest.parameters()) {
            shapes.put(p.name(), p.shape().stream().mapToLong(Long::longValue).toArray());
        }
    }

    /**
     * @param art a LoRA artifact set
     * @throws IllegalArgumentException when the set has no {@code lora} section
     */
    public static BaseWeights open(ArtifactSet art) {
        LoraSection lora = requireLora(art);
        Path file = art.file(lora.baseWeightsFile());
        try {
            return new BaseWeights(file, FileChannel.open(file, StandardOpenOption.READ), lora, art.manifest());
        } catch (IOException e) {
            throw new UncheckedIOException("opening " + file + ": " + IoReason.of(e), e);
        }
    }

    /** @return the set's LoRA section, failing with a message naming the directory when it has none */
    public static LoraSection requireLora(ArtifactSet art) {
        LoraSection lora = art.manifest().lora();
        if (lora == null) {
            throw new IllegalArgumentException(art.dir() + ": expected LoRA artifacts (manifest.json field 'lora', "
                    + "written by tools/export/export.py --lora-r), found a set that trains every weight");
        }
        return lora;
    }

    /** @return the base tensors' names and shapes, in the model's order */
    public Map<String, long[]> shapes() {
        return shapes;
    }

    /** @return the values of base tensor {@code name}, row-major */
    public float[] read(String name) {
        long[] shape = shapes.get(name);
        Long offset = offsets.get(name);
        if (shape == null || offset == null) {
            throw new IllegalArgumentException(file + ": no base tensor named '" + name + "'");
        }
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        if (4 * n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' has " + n + " values, more than one "
                    + "Java array holds");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN);
        try {
            long pos = offset;
            while (buf.hasRemaining()) {
                int r = channel.read(buf, pos);
                if (r < 0) {
                    throw new IOException("end of file at byte " + pos + " (tensor '" + name + "' needs " + 4 * n
                            + " bytes from " + offset + ")");
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + IoReason.of(e), e);
        }
        buf.flip();
        float[] out = new float[(int) n];
        buf.asFloatBuffer().get(out);
        return out;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + file, e);
        }
    }
}
