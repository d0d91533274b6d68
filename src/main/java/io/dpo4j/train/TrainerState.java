package io.dpo4j.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a checkpoint records besides the ORT checkpoint itself ({@code trainer_state.json}).
 *
 * @param step               optimizer steps completed
 * @param microBatches       micro-batches consumed (the position in the {@link BatchPlan})
 * @param configFingerprint  hash of the settings that must not change across a resume
 * @param checkpointSha256   SHA-256 of the ORT checkpoint file, verified on load
 * @param evalLoss           held-out loss evaluated at this step, or null when there was no evaluation at this step
 *                           (what {@code --save-best} ranks checkpoints by; absent in older checkpoints)
 */
public record TrainerState(@JsonProperty("step") long step,
                           @JsonProperty("micro_batches") long microBatches,
                           @JsonProperty("config_fingerprint") String configFingerprint,
                           @JsonProperty("checkpoint_sha256") String checkpointSha256,
                           @JsonProperty("eval_loss") Double evalLoss) {}
