package io.dpo4j.sweep;

import java.util.List;
import java.util.Locale;

/**
 * Proposes the next point of the unit hypercube from the trials done so far. Every strategy is a pure function of
 * (dimension, history, seed, trial index), so a sweep restarted after a crash proposes the same trials again.
 */
public interface Strategy {
    /** Valid names of {@link #parse}. */
    List<String> NAMES = List.of("grid", "random", "bayes");

    /**
     * @param dims    number of searched parameters
     * @param done    finished trials: unit points and objectives (lower is better), in trial order
     * @param trial   index of the trial to propose (0-based)
     * @return the next point, each coordinate in [0, 1]; or null when the strategy has nothing left (grid)
     */
    double[] next(int dims, List<Observation> done, int trial);

    /** A finished trial: its unit point and its objective, lower is better. */
    record Observation(double[] point, double objective) {}

    /** @return the strategy called {@code name}: grid, random or bayes */
    static Strategy parse(String name, int gridPoints, long seed) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "grid" -> new GridStrategy(gridPoints);
            case "random" -> new RandomStrategy(seed);
            case "bayes" -> new BayesStrategy(seed);
            default -> throw new IllegalArgumentException("--strategy: expected one of " + NAMES + ", found '" + name
                    + "'");
        };
    }
}
