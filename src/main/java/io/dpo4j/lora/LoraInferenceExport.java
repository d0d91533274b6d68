package io.dpo4j.lora;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.artifacts.OnnxRelocate;
import io.dpo4j.runtime.TrainingSession;
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
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code dpo4j export-inference} for a LoRA checkpoint. The graphs of a LoRA set keep the frozen base in the set's
 * weights file, so an exported model gets its own copy beside it: {@code <output>} and {@code <output>.data} (the
 * graph's external-data name rewritten to it). {@link #merged}: the base inference graph with the adapters folded into
 * the weights ({@link LoraMerge}); {@link #unmerged}: the eval graph cut by ORT with the adapter branch kept and the
 * base weights unchanged. Both files are written to temporary siblings and renamed into place (data first).
 */
public final class LoraInferenceExport {
    /** The suffix of the weights file written beside an exported graph. */
    public static final String DATA_SUFFIX = ".data";

    private LoraInferenceExport() {}

    /** @return the data file written beside {@code output} */
    public static Path dataFile(Path output) {
        return output.resolveSibling(output.getFileName() + DATA_SUFFIX);
    }

    /**
     * Writes the artifacts' {@code inference_model.onnx} (inputs input_ids, attention_mask; output logits) with the
     * session's adapters merged into a copy of the base weights.
     */
    public static void merged(ArtifactSet art, TrainingSession s, Path output) {
        LoraSection lora = BaseWeights.requireLora(art);
        guard(art, output);
        Map<String, float[]> merged = MergedWeights.of(art, s);
        Path data = dataFile(output);
        Path tmpData = null;
        Path tmpGraph = null;
        try {
            tmpData = Files2.createTempSibling(data);
            Files.copy(art.file(lora.baseWeightsFile()), tmpData, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(tmpData, StandardOpenOption.WRITE)) {
                for (Map.Entry<String, float[]> e : merged.entrySet()) {
                    ByteBuffer b = ByteBuffer.allocate(4 * e.getValue().length).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(e.getValue());
                    long pos = lora.baseOffsets().get(e.getKey());
                    while (b.hasRemaining()) {
                        pos += ch.write(b, pos);
                    }
                }
            }
            tmpGraph = Files2.createTempSibling(output);
            OnnxRelocate.relocate(art.file("inference_model.onnx"), tmpGraph, lora.baseWeightsFile(),
                    data.getFileName().toString());
            finish(tmpData, data, tmpGraph, output);
            tmpData = null;
            tmpGraph = null;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + output + ": " + IoReason.of(e), e);
        } finally {
            Files2.deleteQuietly(tmpData);
            Files2.deleteQuietly(tmpGraph);
        }
    }

    /**
     * Cuts the eval graph at {@code outputs} with ORT (adapters as trained, in the graph) and gives it a copy of the
     * base weights. The session's eval graph is rewritten by ORT: do not evaluate with it afterwards.
     */
    public static void unmerged(ArtifactSet art, TrainingSession s, Path output, List<String> outputs) {
        LoraSection lora = BaseWeights.requireLora(art);
        guard(art, output);
        Path data = dataFile(output);
        Path tmpData = null;
        Path tmpGraph = null;
        Path cut = null;
        try {
            tmpData = Files2.createTempSibling(data);
            Files.copy(art.file(lora.baseWeightsFile()), tmpData, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            cut = Files2.createTempSibling(output);
            s.exportForInference(cut, outputs);
            tmpGraph = Files2.createTempSibling(output);
            OnnxRelocate.relocate(cut, tmpGraph, lora.baseWeightsFile(), data.getFileName().toString());
            finish(tmpData, data, tmpGraph, output);
            tmpData = null;
            tmpGraph = null;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + output + ": " + IoReason.of(e), e);
        } finally {
            Files2.deleteQuietly(tmpData);
            Files2.deleteQuietly(tmpGraph);
            Files2.deleteQuietly(cut);
        }
    }

    private static void finish(Path tmpData, Path data, Path tmpGraph, Path output) throws IOException {
        Files2.moveAtomically(tmpData, data);
        Files2.moveAtomically(tmpGraph, output);
    }

    /** Neither output file may be a file of the artifact set (they are inputs). */
    private static void guard(ArtifactSet art, Path output) {
        OutputGuard.requireWritableFile("--output", output);
        List<OutputGuard.Input> inputs = new ArrayList<>();
        for (String f : art.manifest().files().keySet()) {
            inputs.add(new OutputGuard.Input("artifact file", art.dir().resolve(f)));
        }
        OutputGuard.requireNotInput("--output", output, inputs);
        OutputGuard.requireNotInput("--output (its " + DATA_SUFFIX + " file)", dataFile(output), inputs);
    }
}
