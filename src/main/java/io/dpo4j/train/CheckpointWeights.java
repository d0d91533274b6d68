package io.dpo4j.train;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.artifacts.Manifest;
import io.dpo4j.lora.MergedWeights;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's checkpoint parameters for other sessions: as initializer overrides of the artifacts' inference graphs
 * ({@code reference_model.onnx}, {@code inference_kv_model.onnx} hold the starting weights under the manifest's
 * Hugging Face names), or as the flat array a training session copies in ({@code --init-from}). For a LoRA set the
 * inference graphs are the base model's, and the overrides are the adapted weights with the checkpoint's adapters
 * folded in ({@link MergedWeights}); every other weight stays the base's.
 */
public final class CheckpointWeights {
    private CheckpointWeights() {}

    /**
     * @param art        the artifacts the checkpoint was trained from (parameter names and shapes: manifest
     *                   {@code parameters})
     * @param checkpoint a checkpoint directory written by {@code train} (its files are verified first)
     * @return parameter name → tensor; the caller passes them to an inference session, which closes them
     */
    public static Map<String, Tensor> overrides(OrtEnvironment env, SessionConfig sc, ArtifactSet art,
                                                Path checkpoint) {
        return overrides(env, sc, art, checkpoint, HashCache.none());
    }

    /** As {@link #overrides(OrtEnvironment, SessionConfig, ArtifactSet, Path)}, verifying through {@code sums}. */
    public static Map<String, Tensor> overrides(OrtEnvironment env, SessionConfig sc, ArtifactSet art,
                                                Path checkpoint, HashCache sums) {
        if (art.manifest().parameters().isEmpty()) {
            throw new IllegalArgumentException(art.dir().resolve("manifest.json") + ": field 'parameters': expected the "
                    + "model's parameter names and shapes, found none; re-export the artifacts or use export-inference");
        }
        Path ortFile = CheckpointStore.verifiedOrtFile(checkpoint, sums);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (TrainingSession s = CheckpointStore.openForReading(env, sc, art, ortFile)) {
            if (art.manifest().isLora()) {
                Map<String, long[]> shapes = new LinkedHashMap<>();
                art.manifest().parameters().forEach(p -> shapes.put(p.name(),
                        p.shape().stream().mapToLong(Long::longValue).toArray()));
                for (Map.Entry<String, float[]> e : MergedWeights.of(art, s).entrySet()) {
                    out.put(e.getKey(), Tensor.ofFloats(e.getValue(), shapes.get(e.getKey())));
                }
                return out;
            }
            for (Manifest.Parameter p : art.manifest().parameters()) {
                long[] shape = p.shape().stream().mapToLong(Long::longValue).toArray();
                out.put(p.name(), Tensor.ofFloats(s.parameter(p.name()), shape));
            }
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
        return out;
    }

    /**
     * @param ortFile a verified ORT checkpoint file of a run on {@code art} ({@link CheckpointStore#verifiedOrtFile})
     * @return its trainable parameters in ORT's order ({@link TrainingSession#copyParametersToArray}); the session
     *     that read them is closed before this returns
     */
    static float[] trainable(OrtEnvironment env, SessionConfig sc, ArtifactSet art, Path ortFile) {
        try (TrainingSession s = CheckpointStore.openForReading(env, sc, art, ortFile)) {
            return s.copyParametersToArray(true);
        }
    }
}
