/**
 * The DPO family as small pure functions, kept apart as TRL does: loss configuration and variants
 * ({@link io.dpo4j.dpo.LossConfig}), the per-pair losses ({@link io.dpo4j.dpo.PreferenceLoss}, a float64 reference
 * of what the exported graph computes), the graph's loss inputs ({@link io.dpo4j.dpo.LossInputs}) and TRL-named
 * metrics ({@link io.dpo4j.dpo.DpoMetrics}).
 */
package io.dpo4j.dpo;
