/**
 * Text generation: {@link io.dpo4j.generate.KvCacheGenerator} on the artifacts' {@code inference_kv_model.onnx}
 * (prompts batched with left padding, prefill then one position per step) and {@link io.dpo4j.generate.Generator},
 * the no-cache fallback for any graph with a {@code logits} output (each step re-runs the prefix). Greedy or seeded
 * sampling with transformers' repetition penalty, temperature, top-k and top-p, several samples per prompt, stop
 * strings.
 */
package io.dpo4j.generate;
