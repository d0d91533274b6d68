/**
 * Typed, {@link java.lang.AutoCloseable} wrappers over ONNX Runtime's C inference and training APIs.
 *
 * <p>This is the only package of dpo4j that touches {@code org.bytedeco} (JavaCPP presets of ORT 1.24.1 built with
 * the training APIs). Everything else works with {@link io.dpo4j.runtime.TrainingSession},
 * {@link io.dpo4j.runtime.InferenceSession} (with {@link io.dpo4j.runtime.PreparedRun} for loops that run one graph
 * many times) and {@link io.dpo4j.runtime.Tensor}. Every native object is released
 * exactly once by {@code close()}; every failed ORT call surfaces as an {@link io.dpo4j.runtime.OrtRuntimeException}
 * carrying ORT's error code, ORT's message and what dpo4j was doing. None of the classes are thread-safe.
 */
package io.dpo4j.runtime;
