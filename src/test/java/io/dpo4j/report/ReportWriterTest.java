package io.dpo4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReportWriter}'s leftovers sweep and the validation of the value types it is built from. */
class ReportWriterTest {
    @TempDir
    Path tmp;

    @Test
    void onlyOldMarkedTemporariesOfTheSameOutputAreSwept() throws Exception {
        Path target = tmp.resolve("report");
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        Path old = marked("report.tmp-123", now.minusSeconds(3600));
        Path fresh = marked("report.tmp-456", now.minusSeconds(60));
        Path other = marked("other.tmp-789", now.minusSeconds(3600));
        Path unmarked = Files.createDirectories(tmp.resolve("report.tmp-999"));
        Files.setLastModifiedTime(unmarked, FileTime.from(now.minusSeconds(3600)));
        Path notTemp = marked("report.tmp-12a", now.minusSeconds(3600));

        assertThat(ReportWriter.sweepLeftovers(target, now)).containsExactly(old);
        assertThat(old).doesNotExist();
        assertThat(List.of(fresh, other, unmarked, notTemp)).allSatisfy(p -> assertThat(p).isDirectory());
    }

    private Path marked(String name, Instant mtime) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve(ReportWriter.MARKER), "x");
        Files.setLastModifiedTime(d, FileTime.from(mtime));
        return d;
    }

    @Test
    void valueTypesSayWhatWasExpectedAndFound() {
        List<ChartSpec.Point> one = List.of(new ChartSpec.Point(1, 2));
        ChartSpec.Series s = new ChartSpec.Series("run", 0, false, one);
        assertThatThrownBy(() -> new ChartSpec("../x", "t", "x", "y", ChartSpec.Style.LINES, List.of(s)))
                .hasMessage("chart id: expected 1-64 of [A-Za-z0-9_-], found ../x");
        assertThatThrownBy(() -> new ChartSpec("x", "t", "x", "y", ChartSpec.Style.LINES, List.of()))
                .hasMessage("chart 'x': expected at least one series, found none");
        assertThatThrownBy(() -> new ChartSpec.Series("run", 0, false, List.of()))
                .hasMessage("series 'run': expected at least one point, found none");
        assertThatThrownBy(() -> new ChartSpec.Point(Double.NaN, 1))
                .hasMessage("x: expected a finite number, found NaN");
        assertThatThrownBy(() -> new MetricRecord(1, -1, 0, java.util.Map.of()))
                .hasMessage("step: expected at least 0, found -1");
        assertThatThrownBy(() -> new HtmlPage.Figure(new ChartSpec("x", "t", "x", "y", ChartSpec.Style.POINTS,
                List.of(s)), "https://cdn.example/x.png", 900, 450))
                .hasMessage("image src: expected a relative path inside the report, found https://cdn.example/x.png");
        assertThatThrownBy(() -> new ReportWriter.Options(false, 100, 450))
                .hasMessage("chart size: expected 200-4000 x 150-4000 pixels, found 100 x 450");
    }

    @Test
    void aScatterSpecRendersWithTheSameRenderer() {
        // what a later sweep chart would be: unjoined points, x not a step
        ChartSpec scatter = new ChartSpec("sweep-beta", "eval_loss by beta", "beta", "eval_loss",
                ChartSpec.Style.POINTS, List.of(new ChartSpec.Series("runs", 0, false,
                List.of(new ChartSpec.Point(0.1, 0.6), new ChartSpec.Point(0.5, 0.55)))));
        byte[] png = new ChartRenderer(400, 300).png(scatter);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(ChartRenderer.chart(scatter).getXYPlot().getDataset().getItemCount(0)).isEqualTo(2);
    }
}
