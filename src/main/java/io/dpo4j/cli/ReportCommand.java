package io.dpo4j.cli;

import io.dpo4j.report.MetricsProblem;
import io.dpo4j.report.ReportWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dpo4j report}: an HTML page with PNG charts and a summary table from one or more runs' metrics. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make an HTML report of one or more training runs: charts of loss, rewards/margins and "
                + "rewards/accuracies (train and eval_ on the same axes), learning rate, and a summary table "
                + "(final step, final eval metrics, best eval loss and its step). Several runs are overlaid, one "
                + "series per run, named by its directory.",
                "Writes <output>/index.html and <output>/charts/*.png (no external resources; open index.html in a "
                        + "browser). Unusable lines of metrics.jsonl are skipped with a warning naming file:line "
                        + "(a run may be writing its last line), unless --strict."},
        footer = {"", "Examples:",
                "  dpo4j report runs/dpo                 # writes runs/dpo/report/index.html",
                "  dpo4j report runs/dpo-beta0.1 runs/dpo-beta0.5 --output reports/beta",
                "  dpo4j report runs/dpo --strict --width 1200 --height 600"})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR",
            description = "Run directories written by dpo4j train (each holding metrics.jsonl).")
    List<Path> runs;

    @Option(names = "--output", paramLabel = "DIR", description = "Report directory, created or replaced as a whole (only an empty "
            + "directory or an earlier report is replaced; never one holding an input). Default: <first RUN_DIR>/report.")
    Path output;

    @Option(names = "--strict", defaultValue = "false",
            description = "Fail on the first unusable metrics line instead of skipping it. Default: ${DEFAULT-VALUE}.")
    boolean strict;

    @Option(names = "--width", paramLabel = "PX", defaultValue = "900", description = "Chart width in pixels. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", paramLabel = "PX", defaultValue = "450",
            description = "Chart height in pixels. Default: ${DEFAULT-VALUE}.")
    int height;

    @Override
    public Integer call() {
        Path dir = output != null ? output : runs.get(0).resolve("report");
        ReportWriter.Result r = ReportWriter.write(runs, dir, new ReportWriter.Options(strict, width, height));
        PrintWriter err = spec.commandLine().getErr();
        for (MetricsProblem p : r.problems()) {
            err.println("warning: skipped " + p);
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("report: %s (%d charts, %d run%s%s)%n", r.page(), r.charts().size(), runs.size(),
                runs.size() == 1 ? "" : "s", r.problems().isEmpty() ? "" : ", " + r.problems().size() + " skipped");
        out.flush();
        return 0;
    }
}
