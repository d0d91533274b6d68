/**
 * Throughput and memory benchmarks: the training step (run from the CLI's {@code bench}) and generation
 * ({@link io.dpo4j.bench.GenerateBenchmark}, a main class); never run as unit tests.
 */
package io.dpo4j.bench;
