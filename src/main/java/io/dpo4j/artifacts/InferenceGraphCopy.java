package io.dpo4j.artifacts;

import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import io.dpo4j.util.OutputGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An artifact set's {@code inference_model.onnx} (inputs input_ids, attention_mask; output logits (N, T, V)) written
 * with other weights: {@code <output>} (the graph, its external-data name rewritten) and {@code <output>.data} (a copy
 * of the set's weights file with the given tensors written over the starting ones, at the offsets the graph names).
 * What {@code dpo4j export-inference --outputs logits} writes for a trained policy, and {@code --merge} for a LoRA one.
 * Both files are written to temporary siblings and renamed into place (data first); one tensor is held at a time.
 */
public final class InferenceGraphCopy {
    /** The graph copied. */
    public static final String GRAPH = "inference_model.onnx";
    /** The suffix of the weights file written beside an exported graph. */
    public static final String DATA_SUFFIX = ".data";

    private InferenceGraphCopy() {}

    /** @return the data file written beside {@code output} */
    public static Path dataFile(Path output) {
        return output.resolveSibling(output.getFileName() + DATA_SUFFIX);
    }

    /**
     * @param art    the artifact set
     * @param names  the tensors to replace (initializers of the graph, float32)
     * @param values name → the new values, row-major, as many as the graph's tensor holds
     * @param output the graph file to write; {@link #dataFile} beside it
     * @throws IllegalArgumentException when a name is not an external initializer of the graph, a value count does not
     *     match, or the graph's initializers are not all in one data file
     */
    public static void write(ArtifactSet art, Collection<String> names, Function<String, float[]> values,
                             Path output) {
        guard(art, output);
        Path graph = art.file(GRAPH);
        Map<String, OnnxInitializerOffsets.Entry> offsets = OnnxInitializerOffsets.read(graph);
        TreeSet<String> locations = new TreeSet<>();
        offsets.values().forEach(e -> locations.add(e.location()));
        if (locations.size() != 1) {
            throw new IllegalArgumentException(graph + ": expected every initializer in one external-data file, found "
                    + (locations.isEmpty() ? "none external (re-export the artifacts with tools/export/export.py)"
                    : locations));
        }
        String weightsFile = locations.first();
        writeWithData(graph, art.file(weightsFile), weightsFile, output, tmpData -> {
            try (FileChannel ch = FileChannel.open(tmpData, StandardOpenOption.WRITE)) {
                for (String name : names) {
                    writeTensor(ch, graph, name, offsets.get(name), values.apply(name));
                }
            }
        });
    }

    /** Changes the copy of the weights file before it is moved into place. */
    @FunctionalInterface
    public interface DataEdit {
        /** @param tmpData the temporary copy, beside the data file to be written */
        void apply(Path tmpData) throws IOException;
    }

    /**
     * Writes {@code output} and its {@link #dataFile}: copies {@code weights} to a temporary sibling of the data file,
     * lets {@code edit} change it, writes {@code graph} with its external-data name {@code from} rewritten to the data
     * file's name ({@link OnnxRelocate}) to a temporary sibling of {@code output}, then moves the data and then the
     * graph into place. The temporary files are deleted when any step fails.
     *
     * @throws UncheckedIOException naming {@code output} when a file cannot be copied, written or moved
     */
    public static void writeWithData(Path graph, Path weights, String from, Path output, DataEdit edit) {
        Path data = dataFile(output);
        Path tmpData = null;
        Path tmpGraph = null;
        try {
            tmpData = Files2.createTempSibling(data);
            Files.copy(weights, tmpData, StandardCopyOption.REPLACE_EXISTING);
            edit.apply(tmpData);
            tmpGraph = Files2.createTempSibling(output);
            OnnxRelocate.relocate(graph, tmpGraph, from, data.getFileName().toString());
            Files2.moveAtomically(tmpData, data);
            tmpData = null;
            Files2.moveAtomically(tmpGraph, output);
            tmpGraph = null;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + output + ": " + IoReason.of(e), e);
        } finally {
            Files2.deleteQuietly(tmpData);
            Files2.deleteQuietly(tmpGraph);
        }
    }

    private static void writeTensor(FileChannel ch, Path graph, String name, OnnxInitializerOffsets.Entry at,
                                    float[] v) throws IOException {
        if (at == null) {
            throw new IllegalArgumentException(graph + ": expected an external initializer named '" + name
                    + "', found none");
        }
        if (at.length() != -1 && at.length() != 4L * v.length) {
            throw new IllegalArgumentException(graph + ": initializer '" + name + "': expected " + at.length()
                    + " bytes (" + at.length() / 4 + " floats), found " + v.length + " values to write");
        }
        if (at.offset() + 4L * v.length > ch.size()) {
            throw new IllegalArgumentException(graph + ": initializer '" + name + "' ends at byte "
                    + (at.offset() + 4L * v.length) + ", past the end of " + at.location() + " (" + ch.size() + ")");
        }
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        long pos = at.offset();
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    /** Neither {@code output} nor its data file may be a file of the artifact set (they are inputs). */
    public static void guard(ArtifactSet art, Path output) {
        OutputGuard.requireWritableFile("--output", output);
        List<OutputGuard.Input> inputs = new ArrayList<>();
        for (String f : art.manifest().files().keySet()) {
            inputs.add(new OutputGuard.Input("artifact file", art.dir().resolve(f)));
        }
        OutputGuard.requireNotInput("--output", output, inputs);
        OutputGuard.requireNotInput("--output (its " + DATA_SUFFIX + " file)", dataFile(output), inputs);
    }
}
