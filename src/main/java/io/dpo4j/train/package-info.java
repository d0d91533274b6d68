/**
 * The training loop: configuration, learning-rate schedules, the cached reference pass, batch order, the train /
 * optimizer steps with gradient accumulation, evaluation, atomic checkpoints and metric logging.
 */
package io.dpo4j.train;
