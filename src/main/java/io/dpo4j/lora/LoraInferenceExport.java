package io.dpo4j.lora;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.InferenceGraphCopy;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code dpo4j export-inference} for a LoRA checkpoint. The graphs of a LoRA set keep the frozen base in the set's
 * weights file, so an exported model gets its own copy beside it: {@code <output>} and {@code <output>.data} (the
 * graph's external-data name rewritten to it). {@link #merged}: the base inference graph with the adapters folded into
 * the weights ({@link LoraMerge}, written by {@link InferenceGraphCopy}); {@link #unmerged}: the eval graph cut by ORT
 * with the adapter branch kept and the base weights unchanged. Both files are written to temporary siblings and
 * renamed into place (data first).
 */
public final class LoraInferenceExport {
    /** The suffix of the weights file written beside an exported graph. */
    public static final String DATA_SUFFIX = InferenceGraphCopy.DATA_SUFFIX;

    private LoraInferenceExport() {}

    /** @return the data file written beside {@code output} */
    public static Path dataFile(Path output) {
        return InferenceGraphCopy.dataFile(output);
    }

    /**
     * Writes the artifacts' {@code inference_model.onnx} (inputs input_ids, attention_mask; output logits) with the
     * session's adapters merged into a copy of the base weights.
     */
    public static void merged(ArtifactSet art, TrainingSession s, Path output) {
        BaseWeights.requireLora(art);
        InferenceGraphCopy.guard(art, output);
        Map<String, float[]> merged = MergedWeights.of(art, s);
        InferenceGraphCopy.write(art, merged.keySet(), merged::get, output);
    }

    /**
     * Cuts the eval graph at {@code outputs} with ORT (adapters as trained, in the graph) and gives it a copy of the
     * base weights. The session's eval graph is rewritten by ORT: do not evaluate with it afterwards.
     */
    public static void unmerged(ArtifactSet art, TrainingSession s, Path output, List<String> outputs) {
        LoraSection lora = BaseWeights.requireLora(art);
        InferenceGraphCopy.guard(art, output);
        Path cut = null;
        try {
            cut = Files2.createTempSibling(output);
            s.exportForInference(cut, outputs);
            InferenceGraphCopy.writeWithData(cut, art.file(lora.baseWeightsFile()), lora.baseWeightsFile(), output,
                    tmpData -> {});
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + output + ": " + IoReason.of(e), e);
        } finally {
            Files2.deleteQuietly(cut);
        }
    }
}
