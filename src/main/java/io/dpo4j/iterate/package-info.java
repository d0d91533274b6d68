/**
 * Iterative (online) DPO: {@link io.dpo4j.iterate.Iteration} runs rounds of sampling from the current policy, judging
 * the samples ({@link io.dpo4j.judge.Judge}), pairing each prompt's best and worst sample
 * ({@link io.dpo4j.iterate.PairSelection}), training on the pairs ({@link io.dpo4j.iterate.RoundTrainer}, an ordinary
 * training run starting at the previous round's checkpoint) and evaluating the new policy on held-out prompts
 * ({@link io.dpo4j.iterate.EvalMath}: judge reward, lengths, KL to the start model, win rate against it). Every round's
 * files are kept as JSONL; a run continues at its first incomplete round after a crash. {@link
 * io.dpo4j.iterate.LengthControl} decides what a length target engages (a length judge, iLR-DPO's λ).
 */
package io.dpo4j.iterate;
