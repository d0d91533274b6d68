package io.dpo4j.sweep;

import io.dpo4j.train.RunLock;
import io.dpo4j.util.Files2;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs a sweep: proposes trials with the {@link Strategy}, runs each as a {@code dpo4j train} run in
 * {@code <output>/trial-NNN/} (sharing one reference cache), records every start and finish in the append-only
 * {@link TrialLog}, and writes the leaderboard. Restarted on the same directory (after kill -9 too), it keeps the
 * finished trials, reruns the one that was running with the same values, and goes on; other settings are refused.
 */
public final class Sweep {
    /** Runs one trial: {@code dpo4j train} with {@code args}, returning its last evaluation's metrics (eval_ names). */
    @FunctionalInterface
    public interface TrialRunner {
        /**
         * @param args     train options, e.g. {@code [--lr, 0.001, --output, DIR, ...]}
         * @param trialDir the trial's run directory
         * @return metrics of the last evaluation, keyed as logged ({@code eval_loss}, ...)
         */
        Map<String, Double> run(List<String> args, Path trialDir);
    }

    private final SweepSettings s;
    private final TrialRunner runner;
    private final PrintStream log;

    /** @param log where progress lines go */
    public Sweep(SweepSettings settings, TrialRunner runner, PrintStream log) {
        this.s = settings;
        this.runner = runner;
        this.log = log;
    }

    /** Runs (or resumes) the sweep; @return every finished trial, best first */
    public List<TrialRecord> run() {
        try (RunLock lock = RunLock.acquire(s.output())) {
            requireSameSettings();
            TrialLog trials = TrialLog.open(s.output().resolve("trials.jsonl"));
            Strategy strategy = Strategy.parse(s.strategy(), s.gridPoints(), s.seed());
            ExecutorService pool = Executors.newFixedThreadPool(s.jobs());
            try {
                runAll(strategy, trials, new ExecutorCompletionService<>(pool));
            } finally {
                pool.shutdownNow();
            }
            List<TrialRecord> board = leaderboard(trials.done());
            Leaderboard.write(s, board, s.output().resolve("leaderboard.tsv"));
            log.print(Leaderboard.table(s, board));
            return board;
        }
    }

    private void runAll(Strategy strategy, TrialLog trials, CompletionService<TrialRecord> cs) {
        int running = 0;
        for (int i = 0; i < s.trials(); i++) {
            if (trials.isDone(i)) {
                continue;
            }
            while (running >= s.jobs()) {
                trials.append(take(cs));
                running--;
            }
            TrialRecord start = trials.started(i);
            if (start == null) {
                double[] u = strategy.next(s.params().size(), observations(trials.done()), i);
                if (u == null) {
                    break; // the grid is exhausted
                }
                start = started(i, u);
                trials.append(start);
            }
            TrialRecord st = start;
            cs.submit(() -> runTrial(st));
            running++;
        }
        for (; running > 0; running--) {
            trials.append(take(cs));
        }
    }

    private TrialRecord started(int i, double[] u) {
        Map<String, String> values = new LinkedHashMap<>();
        List<Double> point = new ArrayList<>();
        for (int d = 0; d < u.length; d++) {
            values.put(s.params().get(d).name(), s.params().get(d).text(u[d]));
            point.add(u[d]);
        }
        return new TrialRecord(i, TrialRecord.STARTED, point, values, null, null);
    }

    private TrialRecord runTrial(TrialRecord start) {
        Path dir = s.output().resolve(String.format("trial-%03d", start.trial()));
        List<String> args = new ArrayList<>();
        for (String o : s.trainOptions()) {
            int eq = o.indexOf('=');
            args.add("--" + o.substring(0, eq));
            args.add(o.substring(eq + 1));
        }
        start.values().forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        args.addAll(List.of("--output", dir.toString(), "--cache-dir", s.output().resolve("cache").toString()));
        if (Files.isDirectory(dir.resolve("checkpoints"))) {
            args.addAll(List.of("--resume", "latest")); // a trial interrupted after a checkpoint goes on from it
        }
        log.printf("trial %d: %s%n", start.trial(), start.values());
        Map<String, Double> metrics = runner.run(args, dir);
        Double objective = metrics.get(s.objective());
        if (objective == null) {
            throw new IllegalStateException("trial " + start.trial() + ": --objective " + s.objective()
                    + " is not among its evaluation metrics " + metrics.keySet());
        }
        log.printf("trial %d: %s = %.6g%n", start.trial(), s.objective(), objective);
        return new TrialRecord(start.trial(), TrialRecord.DONE, start.point(), start.values(), objective, metrics);
    }

    private static TrialRecord take(CompletionService<TrialRecord> cs) {
        try {
            return cs.take().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sweep interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private List<Strategy.Observation> observations(List<TrialRecord> done) {
        List<Strategy.Observation> out = new ArrayList<>();
        for (TrialRecord r : done) {
            out.add(new Strategy.Observation(r.pointArray(), s.loss(r.objective())));
        }
        return out;
    }

    private List<TrialRecord> leaderboard(List<TrialRecord> done) {
        List<TrialRecord> board = new ArrayList<>(done);
        board.sort(Comparator.comparingDouble((TrialRecord r) -> s.loss(r.objective()))
                .thenComparingInt(TrialRecord::trial));
        return board;
    }

    private void requireSameSettings() {
        Path file = s.output().resolve("sweep.txt");
        String fp = s.fingerprint();
        try {
            if (Files.exists(file)) {
                String found = Files.readString(file).strip();
                if (!found.equals(fp)) {
                    throw new IllegalArgumentException(s.output() + ": this sweep directory was started with other "
                            + "settings (" + found + "); expected " + fp + "; use another --output");
                }
            } else {
                Files2.writeAtomically(file, (fp + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }
}
