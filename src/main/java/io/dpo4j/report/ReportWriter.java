package io.dpo4j.report;

import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import io.dpo4j.util.OutputGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes a report directory: {@code index.html}, {@code charts/<id>.png} and a marker file. Everything is written
 * into a temporary sibling ({@code <name>.tmp-<digits>}) and renamed into place, so a failed report leaves the
 * previous one (or nothing) behind. The output is refused when it is, or holds, an input {@code metrics.jsonl}, lies
 * inside a run's {@code checkpoints/}, or exists and is neither empty nor an earlier report (it is replaced as a
 * whole, so it must not hold anything else). Temporaries of a killed report ({@code <name>.tmp-<digits>} directories
 * holding the marker, older than {@link #LEFTOVER_AGE}) are removed before the next report to the same output.
 */
public final class ReportWriter {
    /** The page's file name. */
    public static final String PAGE = "index.html";
    /** Folder of the chart images, relative to the page. */
    public static final String CHARTS = "charts";
    /** File that marks a directory as a report dpo4j may replace. */
    public static final String MARKER = ".dpo4j-report";
    /** Age after which a marked temporary next to the output counts as left over by a killed report. */
    public static final java.time.Duration LEFTOVER_AGE = java.time.Duration.ofMinutes(10);

    /**
     * How to make the report.
     *
     * @param strict fail on the first unusable input line instead of skipping it
     * @param width  chart width in pixels
     * @param height chart height in pixels
     */
    public record Options(boolean strict, int width, int height) {
        /** Validates the size. */
        public Options {
            new ChartRenderer(width, height); // validates the size with the renderer's message
        }
    }

    /**
     * What was written.
     *
     * @param dir      the report directory
     * @param page     its HTML page
     * @param charts   the chart images, in page order
     * @param problems skipped input
     */
    public record Result(Path dir, Path page, List<Path> charts, List<MetricsProblem> problems) {
        /** Copies the lists. */
        public Result {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(page, "page");
            charts = List.copyOf(charts);
            problems = List.copyOf(problems);
        }
    }

    private ReportWriter() {}

    /**
     * @param runDirs run directories, in legend order (at least one)
     * @param output  the report directory to create or replace
     * @param options strictness and chart size
     * @return what was written
     * @throws IllegalArgumentException for bad input or a refused output, in one line naming the path
     */
    public static Result write(List<Path> runDirs, Path output, Options options) {
        if (runDirs.isEmpty()) {
            throw new IllegalArgumentException("run directories: expected at least one, found none");
        }
        List<RunMetrics> runs = readAll(runDirs, options.strict());
        guardOutput(output, runs);
        List<ChartSpec> specs = TrainingCharts.of(runs);
        List<RunSummary> summaries = runs.stream().map(RunSummary::of).toList();
        List<MetricsProblem> problems = runs.stream().flatMap(r -> r.problems().stream()).toList();
        ChartRenderer renderer = new ChartRenderer(options.width(), options.height());

        Path target = output.toAbsolutePath().normalize();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            sweepLeftovers(target, Instant.now());
            tmp = Files.createTempDirectory(target.getParent(), target.getFileName() + Files2.TEMP_MARK);
            Files.writeString(tmp.resolve(MARKER), "written by dpo4j report; this directory is replaced as a whole "
                    + "by the next report to it\n", StandardCharsets.UTF_8); // first: marks a leftover as ours
            Files.createDirectory(tmp.resolve(CHARTS));
            List<HtmlPage.Figure> figures = new ArrayList<>();
            List<Path> images = new ArrayList<>();
            for (ChartSpec spec : specs) {
                Files.write(tmp.resolve(CHARTS).resolve(spec.fileName()), renderer.png(spec));
                figures.add(new HtmlPage.Figure(spec, CHARTS + "/" + spec.fileName(), options.width(),
                        options.height()));
                images.add(target.resolve(CHARTS).resolve(spec.fileName()));
            }
            String title = "dpo4j report: " + String.join(", ", runs.stream().map(RunMetrics::name).toList());
            String when = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            HtmlPage page = new HtmlPage(title, runs, summaries, figures, problems, when);
            Files.writeString(tmp.resolve(PAGE), page.render(), StandardCharsets.UTF_8);
            replace(tmp, target);
            tmp = null;
            return new Result(target, target.resolve(PAGE), images, problems);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + target + ": " + IoReason.of(e), e);
        } finally {
            if (tmp != null) {
                Files2.deleteTree(tmp);
            }
        }
    }

    /** Reads every run; runs whose directories share a name are named by their paths. */
    static List<RunMetrics> readAll(List<Path> runDirs, boolean strict) {
        Map<String, Integer> nameCount = new HashMap<>();
        for (Path d : runDirs) {
            nameCount.merge(baseName(d), 1, Integer::sum);
        }
        List<RunMetrics> runs = new ArrayList<>();
        for (Path d : runDirs) {
            for (RunMetrics earlier : runs) {
                if (OutputGuard.sameFile(earlier.dir(), d)) {
                    throw new IllegalArgumentException("run directory " + d + " is the same directory as "
                            + earlier.dir() + "; expected each run once");
                }
            }
            String name = nameCount.get(baseName(d)) > 1 ? d.normalize().toString() : baseName(d);
            runs.add(MetricsReader.read(d, name, strict));
        }
        return runs;
    }

    private static String baseName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        return abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    }

    /** Refuses an output that is or holds an input, lies in a checkpoint folder, or is not a report to replace. */
    static void guardOutput(Path output, List<RunMetrics> runs) {
        OutputGuard.requireWritableDir("--output", output);
        Path out = resolved(output);
        for (RunMetrics r : runs) {
            Path metrics = resolved(r.dir().resolve(MetricsReader.METRICS_FILE));
            if (metrics.startsWith(out)) {
                throw new IllegalArgumentException("--output " + output + " is or contains the input " + metrics
                        + "; refusing to replace it (expected a directory outside every run's "
                        + MetricsReader.METRICS_FILE + ", e.g. the default <run>/report)");
            }
            Path checkpoints = resolved(r.dir().resolve("checkpoints"));
            if (out.startsWith(checkpoints)) {
                throw new IllegalArgumentException("--output " + output + " is inside the checkpoints of run "
                        + r.dir() + "; expected a directory outside " + checkpoints);
            }
        }
        if (Files.isDirectory(out) && !Files.isRegularFile(out.resolve(MARKER))) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("--output " + output + " exists and is not a dpo4j report (no "
                            + MARKER + " in it); expected a new or empty directory, or an earlier report to replace");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + output + ": " + IoReason.of(e), e);
            }
        }
    }

    /** @return {@code p} absolute, with symbolic links of its longest existing prefix resolved */
    static Path resolved(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + p + ": " + IoReason.of(e), e);
        }
    }

    /**
     * Removes {@code <target name>.tmp-<digits>} directories next to {@code target} that hold {@link #MARKER} and
     * were last modified before {@code now} minus {@link #LEFTOVER_AGE} (a live report's temporary is younger).
     *
     * @return the removed directories
     */
    static List<Path> sweepLeftovers(Path target, Instant now) {
        Path parent = target.toAbsolutePath().normalize().getParent();
        String base = java.util.regex.Pattern.quote(target.getFileName().toString());
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return removed;
        }
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.filter(d -> Files2.isTempOf(d.getFileName().toString(), base))
                    .filter(d -> Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(d -> Files.isRegularFile(d.resolve(MARKER))).sorted().toList()) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(LEFTOVER_AGE))) {
                    Files2.deleteTree(p);
                    removed.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + parent + ": " + IoReason.of(e), e);
        }
        return removed;
    }

    /** Renames {@code fresh} to {@code target}, moving an earlier report aside first and deleting it after. */
    private static void replace(Path fresh, Path target) throws IOException {
        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files2.moveAtomically(fresh, target);
            return;
        }
        Path old = Files.createTempDirectory(target.getParent(), target.getFileName() + Files2.TEMP_MARK);
        Files.delete(old);
        Files.move(target, old);
        try {
            Files2.moveAtomically(fresh, target);
        } catch (IOException e) {
            Files.move(old, target); // put the earlier report back
            throw e;
        }
        Files2.deleteTree(old);
    }
}
