/**
 * Text generation from an inference graph ({@code inference_model.onnx} or a policy written by
 * {@code export-inference}): greedy or temperature / top-k sampling, seeded. No KV cache: each step re-runs the prefix.
 */
package io.dpo4j.generate;
