package io.dpo4j.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a training run produced.
 *
 * @param stepLosses      training loss of every optimizer step this process ran (index 0 = first step run)
 * @param firstStep       optimizer step number of {@code stepLosses[0]} (1-based; > 1 after a resume)
 * @param finalEval       TRL-named metrics of the last evaluation (empty without an eval set)
 * @param lastCheckpoint  directory of the last checkpoint written, or null
 * @param seconds         wall time of the training loop
 */
public record RunResult(List<Double> stepLosses, long firstStep, Map<String, Double> finalEval, Path lastCheckpoint,
                        double seconds) {
    /** Copies collections. */
    public RunResult {
        stepLosses = List.copyOf(stepLosses);
        finalEval = Map.copyOf(finalEval);
    }
}
