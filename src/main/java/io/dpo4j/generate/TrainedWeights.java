package io.dpo4j.generate;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.train.CheckpointWeights;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trained checkpoint's parameters as initializer overrides for the artifacts' inference graphs (which hold the
 * starting weights under the same Hugging Face names), so the KV-cache graph generates with the trained policy.
 */
public final class TrainedWeights {
    private TrainedWeights() {}

    /**
     * @param art        the artifacts the checkpoint was trained from (parameter names and shapes: manifest
     *                   {@code parameters})
     * @param checkpoint a checkpoint directory written by {@code train} (its files are verified first)
     * @return parameter name → tensor; the caller passes them to an inference session, which closes them
     */
    public static Map<String, Tensor> load(OrtEnvironment env, SessionConfig sc, ArtifactSet art, Path checkpoint) {
        return CheckpointWeights.overrides(env, sc, art, checkpoint);
    }

    /** As {@link #load(OrtEnvironment, SessionConfig, ArtifactSet, Path)}, verifying through {@code sums}. */
    public static Map<String, Tensor> load(OrtEnvironment env, SessionConfig sc, ArtifactSet art, Path checkpoint,
            HashCache sums) {
        return CheckpointWeights.overrides(env, sc, art, checkpoint, sums);
    }
}
