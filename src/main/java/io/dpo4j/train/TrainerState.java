package io.dpo4j.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What a checkpoint records besides the ORT checkpoint itself ({@code trainer_state.json}).
 *
 * @param step               optimizer steps completed
 * @param microBatches       micro-batches consumed (the position in the {@link BatchPlan})
 * @param configFingerprint  hash of the settings that must not change across a resume
 * @param checkpointSha256   SHA-256 of the ORT checkpoint file, verified on load
 * @param evalLoss           held-out loss evaluated at this step, or null when there was no evaluation at this step
 *                           (what {@code --save-best} ranks checkpoints by; absent in older checkpoints)
 * @param files              SHA-256 and size of every file of the checkpoint directory except trainer_state.json,
 *                           verified on load ({@link CheckpointFiles}); null in states written before it existed
 * @param optimizerState     false when the checkpoint holds the parameters only ({@code --save-only-model}: no AdamW
 *                           moments or optimizer step, so it cannot be resumed); null (older states) or true otherwise
 */
public record TrainerState(@JsonProperty("step") long step,
                           @JsonProperty("micro_batches") long microBatches,
                           @JsonProperty("config_fingerprint") String configFingerprint,
                           @JsonProperty("checkpoint_sha256") String checkpointSha256,
                           @JsonProperty("eval_loss") Double evalLoss,
                           @JsonProperty("files") @JsonInclude(JsonInclude.Include.NON_NULL)
                           Map<String, CheckpointFiles.Entry> files,
                           @JsonProperty("optimizer_state") @JsonInclude(JsonInclude.Include.NON_NULL)
                           Boolean optimizerState) {

    /** Copies {@code files}. */
    public TrainerState {
        files = files == null ? null : Map.copyOf(files);
    }

    /** A state without checksums yet ({@link CheckpointStore#save} adds them). */
    public TrainerState(long step, long microBatches, String configFingerprint, String checkpointSha256,
                        Double evalLoss) {
        this(step, microBatches, configFingerprint, checkpointSha256, evalLoss, null, null);
    }

    /** A state without checksums or eval loss. */
    public TrainerState(long step, long microBatches, String configFingerprint, String checkpointSha256) {
        this(step, microBatches, configFingerprint, checkpointSha256, null, null, null);
    }

    /** @return whether the checkpoint holds the optimizer state (moments and step) a resume needs */
    public boolean resumable() {
        return optimizerState == null || optimizerState;
    }

    /** @return this state marked as holding the optimizer state or not */
    TrainerState withOptimizerState(boolean included) {
        return new TrainerState(step, microBatches, configFingerprint, checkpointSha256, evalLoss, files,
                included ? null : Boolean.FALSE);
    }

    /** @return this state with the checksums of a checkpoint directory's files */
    TrainerState withFiles(Map<String, CheckpointFiles.Entry> files) {
        CheckpointFiles.Entry ort = files.get(CheckpointStore.ORT_FILE);
        return new TrainerState(step, microBatches, configFingerprint, ort == null ? null : ort.sha256(), evalLoss,
                files, optimizerState);
    }
}
