package io.dpo4j.train;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The library entry point: a validated {@link TrainConfig}, optional {@link TrainListener}s and a log stream, then
 * {@link #fit()}. Every native resource of a run (environment, sessions) is opened and closed inside {@code fit}, so a
 * DpoTrainer holds nothing between runs. {@code dpo4j train} is a thin layer over it.
 *
 * <pre>{@code
 * RunResult r = DpoTrainer.with(TrainConfig.builder(Path.of("artifacts/tiny-gpt2"), Path.of("prefs.jsonl"))
 *                 .loss(LossConfig.defaults().withVariant(LossVariant.IPO)).maxSteps(100).build())
 *         .listener(new TrainListener() {
 *             public void onMetrics(long step, String prefix, Map<String, Double> m) {
 *                 System.out.println(step + " " + prefix + "loss " + m.get("loss"));
 *             }
 *         })
 *         .fit();
 * }</pre>
 *
 * @param config    the run's configuration
 * @param listeners callbacks, in order
 * @param log       where progress lines go (standard error in the CLI)
 */
public record DpoTrainer(TrainConfig config, List<TrainListener> listeners, PrintStream log) {

    /** Validates and copies. */
    public DpoTrainer {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(log, "log");
        listeners = List.copyOf(listeners);
    }

    /** @return a trainer for {@code config}, logging nowhere, without listeners */
    public static DpoTrainer with(TrainConfig config) {
        return new DpoTrainer(config, List.of(), new PrintStream(OutputStream.nullOutputStream()));
    }

    /** @return this trainer with {@code l} called after the listeners it has */
    public DpoTrainer listener(TrainListener l) {
        List<TrainListener> all = new ArrayList<>(listeners);
        all.add(Objects.requireNonNull(l, "listener"));
        return new DpoTrainer(config, all, log);
    }

    /** @return this trainer writing its progress lines to {@code out} */
    public DpoTrainer log(PrintStream out) {
        return new DpoTrainer(config, listeners, out);
    }

    /**
     * Runs the training to the configured number of steps (or resumes it).
     *
     * @return losses, the last evaluation and the last checkpoint
     * @throws IllegalArgumentException on invalid input, before any training
     */
    public RunResult fit() {
        return new Trainer(config, log, listeners).run();
    }
}
