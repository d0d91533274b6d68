package io.dpo4j.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a sweep searches and how, validated on construction.
 *
 * @param params       searched options
 * @param strategy     grid, random or bayes
 * @param trials       trial budget
 * @param gridPoints   values per parameter for grid
 * @param objective    an evaluation metric as logged, e.g. {@code eval_loss} or {@code eval_rewards/accuracies}
 * @param maximize     true: larger objective is better
 * @param seed         seed of the proposals
 * @param jobs         trials run at once
 * @param output       sweep directory (trials, leaderboard, shared reference cache)
 * @param trainOptions {@code dpo4j train} options every trial gets ({@code NAME=VALUE}, names without dashes)
 * @param baseConfig   a {@code dpo4j train} YAML configuration every trial starts from, or null
 */
public record SweepSettings(List<SearchParam> params, String strategy, int trials, int gridPoints, String objective,
                            boolean maximize, long seed, int jobs, Path output, List<String> trainOptions,
                            Path baseConfig) {

    /** Validates and copies. */
    public SweepSettings {
        params = List.copyOf(params);
        trainOptions = List.copyOf(trainOptions);
        Objects.requireNonNull(output, "output");
        if (params.isEmpty()) {
            throw new IllegalArgumentException("--param: expected at least one searched option, found none");
        }
        if (params.stream().map(SearchParam::name).distinct().count() != params.size()) {
            throw new IllegalArgumentException("--param: expected each option once, found " + params);
        }
        Strategy.parse(strategy, gridPoints, seed); // validates the name and grid points
        if (trials < 1) {
            throw new IllegalArgumentException("--trials: expected >= 1, found " + trials);
        }
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs: expected >= 1, found " + jobs);
        }
        if (objective == null || !objective.startsWith("eval_")) {
            throw new IllegalArgumentException("--objective: expected an evaluation metric (eval_loss, "
                    + "eval_rewards/accuracies, ...), found " + objective);
        }
        for (String o : trainOptions) {
            if (!o.matches("[a-z][a-z0-9-]*=.*")) {
                throw new IllegalArgumentException("--train-option: expected NAME=VALUE (name without dashes), found '"
                        + o + "'");
            }
        }
    }

    /** @return the objective as the sweep minimises it */
    double loss(double objectiveValue) {
        return maximize ? -objectiveValue : objectiveValue;
    }

    /** @return the settings that decide which trials run, for refusing a resume with other settings */
    String fingerprint() {
        return String.join("|", params.toString(), strategy, String.valueOf(gridPoints), objective,
                String.valueOf(maximize), String.valueOf(seed), trainOptions.toString(), String.valueOf(baseConfig));
    }
}
