package io.dpo4j.verify;

import io.dpo4j.train.RunResult;
import io.dpo4j.train.TrainConfig;
import io.dpo4j.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Reproducibility checks on real training runs: the same configuration twice gives bit-identical per-step losses,
 * and resuming from a mid-run checkpoint continues with exactly the uninterrupted run's bits.
 */
public final class ReproCheck {
    private ReproCheck() {}

    /**
     * Runs {@code cfg} twice (into {@code work/a} and {@code work/b}) and compares every step's loss bit for bit.
     *
     * @param cfg  a run configuration with {@code maxSteps} set
     * @param work scratch directory
     */
    public static CheckResult determinism(TrainConfig cfg, Path work, PrintStream log) {
        RunResult a = new Trainer(withOutput(cfg, work.resolve("a"), 0, null), log).run();
        RunResult b = new Trainer(withOutput(cfg, work.resolve("b"), 0, null), log).run();
        String name = cfg.artifacts().getFileName() + " determinism (" + a.stepLosses().size()
                + " steps, same seed twice)";
        return compare(name, a.stepLosses(), 0, b.stepLosses());
    }

    /**
     * Runs {@code cfg} saving a checkpoint at {@code stopAt}, then resumes a second run from that checkpoint to the
     * end and compares the resumed steps with the uninterrupted run's, bit for bit.
     */
    public static CheckResult resume(TrainConfig cfg, long stopAt, Path work, PrintStream log) {
        RunResult full = new Trainer(withOutput(cfg, work.resolve("full"), (int) stopAt, null), log).run();
        Path ckpt = work.resolve("full").resolve("checkpoints").resolve(String.format("step-%06d", stopAt));
        RunResult resumed = new Trainer(withOutput(cfg, work.resolve("resumed"), 0, ckpt), log).run();
        List<Double> tail = full.stepLosses().subList((int) stopAt, full.stepLosses().size());
        String name = cfg.artifacts().getFileName() + " resume (checkpoint at step " + stopAt + ", continued to step "
                + full.stepLosses().size() + ")";
        return compare(name, tail, stopAt, resumed.stepLosses());
    }

    private static CheckResult compare(String name, List<Double> expected, long offset, List<Double> found) {
        if (expected.size() != found.size()) {
            return new CheckResult(name, false, "expected " + expected.size() + " steps, found " + found.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            if (Double.doubleToLongBits(expected.get(i)) != Double.doubleToLongBits(found.get(i))) {
                return new CheckResult(name, false, String.format("step %d differs: expected %s, found %s",
                        offset + i + 1, expected.get(i), found.get(i)));
            }
        }
        return new CheckResult(name, true, "all " + found.size() + " step losses bit-identical (last "
                + found.get(found.size() - 1) + ")");
    }

    /** @return {@code cfg} writing to {@code out}, saving every {@code saveEvery} steps, resuming from {@code resume} */
    static TrainConfig withOutput(TrainConfig c, Path out, int saveEvery, Path resume) {
        return c.toBuilder().saveEvery(saveEvery).outputDir(out).resumeFrom(resume).progress(false).build();
    }
}
