/** Throughput and memory benchmarks of the training step (run from the CLI's {@code bench}, never as unit tests). */
package io.dpo4j.bench;
