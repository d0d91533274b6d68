package io.dpo4j.cli;

import io.dpo4j.sweep.SearchParam;
import io.dpo4j.sweep.Sweep;
import io.dpo4j.sweep.SweepSettings;
import io.dpo4j.sweep.TrialRecord;
import io.dpo4j.train.RunResult;
import io.dpo4j.train.TrainConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dpo4j sweep}: hyper-parameter search over {@code dpo4j train}'s numeric options. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Search dpo4j train's numeric options (grid, random, or Bayesian optimisation with a Gaussian "
                + "process and expected improvement), scoring each trial by an evaluation metric. Every trial is a "
                + "train run in <output>/trial-NNN/ (its config.yaml reruns it); trials.jsonl records each start and "
                + "finish, so a sweep rerun on the same --output after a crash goes on where it stopped; "
                + "leaderboard.tsv ranks the finished trials.",
                "With no options: a small Bayesian sweep of lr and beta on the embedded default."},
        footer = {"", "Examples:",
                "  dpo4j sweep",
                "  dpo4j sweep --param lr=1e-4:1e-2 --param beta=0.05:0.5 --trials 16 --strategy random",
                "  dpo4j sweep --base run.yaml --param label-smoothing=0:0.3:lin --objective "
                        + "eval_rewards/accuracies --maximize",
                "  dpo4j sweep --strategy grid --grid-points 4 --param lr=1e-4:1e-2 --jobs 2 --output runs/grid"})
final class SweepCommand implements Callable<Integer> {
    @Option(names = "--param", paramLabel = "NAME=LOW:HIGH[:SCALE]", defaultValue = "lr=3e-4:3e-2:log,beta=0.03:0.5:log",
            split = ",", description = "A searched train option (name without dashes) and its range; SCALE log, lin "
            + "or int (default: log when the range spans a factor of 10 or more). Repeatable. Default: "
            + "${DEFAULT-VALUE}.")
    List<String> params;

    @Option(names = "--strategy", defaultValue = "bayes",
            description = "bayes, random or grid. Default: ${DEFAULT-VALUE}.")
    String strategy;

    @Option(names = "--trials", defaultValue = "8", description = "Trial budget. Default: ${DEFAULT-VALUE}.")
    int trials;

    @Option(names = "--grid-points", defaultValue = "3",
            description = "Values per parameter for --strategy grid. Default: ${DEFAULT-VALUE}.")
    int gridPoints;

    @Option(names = "--objective", defaultValue = "eval_loss",
            description = "Evaluation metric to optimise, as logged (eval_loss, eval_rewards/accuracies, ...). "
                    + "Default: ${DEFAULT-VALUE}.")
    String objective;

    @Option(names = "--maximize", defaultValue = "false",
            description = "Larger objective is better. Default: ${DEFAULT-VALUE}.")
    boolean maximize;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the proposals. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--jobs", defaultValue = "1", description = "Trials run at once (each gets cores/jobs intra-op "
            + "threads unless --train-option threads=N); with > 1, Bayesian proposals depend on which trials finished "
            + "first. Default: ${DEFAULT-VALUE}.")
    int jobs;

    @Option(names = "--train-option", paramLabel = "NAME=VALUE", defaultValue = "max-steps=50", split = ",",
            description = "A dpo4j train option every trial gets (name without dashes). Repeatable. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> trainOptions;

    @Option(names = "--base", paramLabel = "FILE",
            description = "A dpo4j train YAML configuration every trial starts from (see train --config). Default: none.")
    Path base;

    @Option(names = "--output", defaultValue = "runs/sweep", description = "Sweep directory. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
            description = "YAML file of this command's option values; the command line overrides it. Default: none.")
    Path config;

    @Override
    public Integer call() {
        List<SearchParam> ps = new ArrayList<>();
        params.forEach(p -> ps.add(SearchParam.parse(p)));
        List<String> opts = new ArrayList<>(trainOptions);
        if (jobs > 1 && opts.stream().noneMatch(o -> o.startsWith("threads="))) {
            opts.add("threads=" + Math.max(1, Runtime.getRuntime().availableProcessors() / jobs));
        }
        SweepSettings settings = new SweepSettings(ps, strategy, trials, gridPoints, objective, maximize, seed, jobs,
                output, opts, base);
        List<TrialRecord> board = new Sweep(settings, this::runTrial, System.out).run();
        System.out.printf("sweep: %d trials; leaderboard: %s%n", board.size(), output.resolve("leaderboard.tsv"));
        return 0;
    }

    /** One trial in this process: train's own option parsing and validation, its log in the trial directory. */
    private Map<String, Double> runTrial(List<String> args, Path dir) {
        CommandLine cl = new CommandLine(new TrainCommand());
        if (base != null) {
            cl.setDefaultValueProvider(ConfigFile.read(base));
        }
        List<String> all = new ArrayList<>(List.of("--no-progress"));
        all.addAll(args);
        cl.parseArgs(all.toArray(String[]::new));
        TrainCommand train = cl.getCommand();
        TrainConfig cfg = train.toConfig();
        try {
            Files.createDirectories(dir);
            try (PrintStream log = new PrintStream(Files.newOutputStream(dir.resolve("train.log")), true,
                    java.nio.charset.StandardCharsets.UTF_8)) {
                RunResult r = train.fit(cfg, log);
                Map<String, Double> out = new LinkedHashMap<>();
                r.finalEval().forEach((k, v) -> out.put("eval_" + k, v));
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("trial directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
