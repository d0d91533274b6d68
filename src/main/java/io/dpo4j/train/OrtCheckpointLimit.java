package io.dpo4j.train;

import io.dpo4j.artifacts.Manifest;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether ONNX Runtime can write a resumable checkpoint of a model, checked before a run starts so that a long run
 * never ends in a save that fails.
 *
 * <p>ORT's training checkpoint is one FlatBuffers buffer with 32-bit offsets, at most 2 GiB
 * ({@code onnxruntime/orttraining/training_api/checkpoint.cc}: "a checkpoint over 2 GB would fail due to the usage of
 * 32-bit offsets"). The parameters go to {@code checkpoint.data} only when the loaded checkpoint had external data
 * (ORT writes external data for parameters over 1.8 GB); the optimizer state, two float32 AdamW moments per trainable
 * value, always goes into the buffer. Measured with onnxruntime 1.24.1 (bytedeco 1.5.13) on a one-tensor model
 * without external data: 150M trainable values (1.8 GB of parameters and moments) saved and reopened; 200M (2.4 GB)
 * failed in {@code SaveCheckpoint} ("checkpoint.cc:231 ToFile Failed to save checkpoint to file", with an errno that
 * differs between runs) and left an empty file ({@code tools/bench/ort_checkpoint_limit.sh} reruns this). So a
 * full-parameter model above about 173M parameters without external data (12 bytes each, plus
 * {@link #MARGIN_BYTES}), or any model with external data (≥ 472M parameters, whose moments alone exceed 2 GiB), gets
 * parameters-only checkpoints ({@code --save-only-model}) or trains LoRA adapters.
 */
final class OrtCheckpointLimit {
    /** Largest FlatBuffers buffer. */
    static final long MAX_BYTES = (1L << 31) - 1;
    /** Allowance for names, shapes and properties beside the tensor bytes. */
    static final long MARGIN_BYTES = 64L << 20;
    /** The exporter's external-data file of the initial checkpoint. */
    static final String EXTERNAL_DATA_FILE = "checkpoint.data";

    private OrtCheckpointLimit() {}

    /**
     * Bytes a save with the optimizer state puts into ORT's buffer: 8 per trainable value (both moments), plus 4 per
     * parameter when the parameters are not in external data.
     */
    static long bufferBytes(long trainable, long parameters, boolean externalData) {
        return 8 * trainable + (externalData ? 0 : 4 * parameters);
    }

    /**
     * Why a resumable checkpoint of this artifact set cannot be written, or empty when it can. A LoRA set's checkpoint
     * holds the adapters only (the frozen base is external to it).
     */
    static Optional<String> resumableProblem(Manifest m) {
        boolean external = m.files().containsKey(EXTERNAL_DATA_FILE);
        long trainable = m.isLora() ? m.lora().numTrainable() : m.numParameters();
        long parameters = m.isLora() ? m.lora().numTrainable() : m.numParameters();
        return problem(trainable, parameters, external);
    }

    /** As {@link #resumableProblem(Manifest)} for a checkpoint of these sizes. */
    static Optional<String> problem(long trainable, long parameters, boolean external) {
        long bytes = bufferBytes(trainable, parameters, external);
        if (bytes + MARGIN_BYTES <= MAX_BYTES) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "a resumable checkpoint of this model cannot be written: ONNX "
                + "Runtime puts the AdamW moments (8 bytes x %,d trainable values)%s into one FlatBuffers buffer, "
                + "%.2f GB, and that buffer is limited to 2 GiB (32-bit offsets), so the save at the end of the run "
                + "would fail. Pass --save-only-model (checkpoints hold the parameters, a new run continues from one "
                + "with --init-from; the optimizer state starts fresh), or train LoRA adapters (export with --lora-r)",
                trainable, external ? "" : String.format(Locale.ROOT, " and the parameters (4 bytes x %,d, no "
                        + "external data)", parameters), bytes / 1e9));
    }
}
