/**
 * Self-checks runnable on any device ({@code dpo4j verify}): parity with the PyTorch golden files, bit-identical
 * reruns, and resume-from-checkpoint equality. The CPU test suite runs the same code; on a GPU server the CLI does.
 */
package io.dpo4j.verify;
