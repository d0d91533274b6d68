package io.dpo4j.train;

import io.dpo4j.util.IoReason;
import io.dpo4j.util.OutputGuard;
import io.dpo4j.util.OutputGuard.Input;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Validates every output path of a training run before any work (before the data is read or the reference pass
 * runs): {@code --output} is a directory or can be created as one, its {@code metrics.jsonl} and the
 * {@code --skip-report} are not the same file as any input ({@code --data}, {@code --eval-data}, the artifacts' files,
 * the {@code --resume} checkpoint's files) nor a directory, and {@code --cache-dir} is not a regular file.
 */
public final class RunPreflight {
    /** Name of the metrics file inside the output directory. */
    public static final String METRICS_FILE = "metrics.jsonl";

    private RunPreflight() {}

    /** @throws IllegalArgumentException with a one-line message naming the option, both paths and the reason */
    public static void check(TrainConfig cfg) {
        List<Input> inputs = inputs(cfg);
        OutputGuard.requireWritableDir("--output", cfg.outputDir());
        if (OutputGuard.sameFile(cfg.outputDir(), cfg.artifacts())) {
            throw new IllegalArgumentException("--output " + cfg.outputDir() + " is the --artifacts directory "
                    + cfg.artifacts() + "; refusing to write a run into its inputs (expected a different directory)");
        }
        Path metrics = cfg.outputDir().resolve(METRICS_FILE);
        OutputGuard.requireNotInput("--output " + cfg.outputDir() + ": its", metrics, inputs);
        if (Files.isDirectory(metrics)) {
            throw new IllegalArgumentException("--output " + cfg.outputDir() + ": expected " + metrics
                    + " to be a file, found a directory");
        }
        Path report = cfg.data().skipReport();
        if (report != null) {
            List<Input> withMetrics = new ArrayList<>(inputs);
            withMetrics.add(new Input("the run's metrics file", metrics));
            OutputGuard.requireNotInput("--skip-report", report, withMetrics);
            OutputGuard.requireWritableFile("--skip-report", report);
        }
        OutputGuard.requireWritableDir("--cache-dir", cfg.cacheDir());
    }

    /** @return the run's input files: data, held-out data, every artifact file and every file of the resumed checkpoint */
    static List<Input> inputs(TrainConfig cfg) {
        List<Input> in = new ArrayList<>();
        in.add(new Input("--data", cfg.trainData()));
        if (cfg.evalData() != null) {
            in.add(new Input("--eval-data", cfg.evalData()));
        }
        filesOf("--artifacts file", cfg.artifacts(), in);
        if (cfg.resumeFrom() != null) {
            filesOf("--resume file", cfg.resumeFrom(), in);
        }
        if (cfg.initFrom() != null) {
            filesOf("--init-from file", cfg.initFrom(), in);
        }
        if (cfg.referenceFrom() != null) {
            filesOf("--reference-from file", cfg.referenceFrom(), in);
        }
        return in;
    }

    private static void filesOf(String what, Path dir, List<Input> out) {
        if (!Files.isDirectory(dir)) {
            return; // loading reports the missing directory with its own message
        }
        try (Stream<Path> s = Files.walk(dir, 2)) {
            s.filter(Files::isRegularFile).sorted().forEach(p -> out.add(new Input(what, p)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + IoReason.of(e), e);
        }
    }
}
