package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.report.ReportWriter;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dpo4j report} end to end on metrics files written here: output layout, warnings, refused outputs. */
class ReportCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private Run report(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "report";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cl.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    private Path run(String name, String metrics) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("metrics.jsonl"), metrics);
        return dir;
    }

    private static final String METRICS = """
            {"step":1,"epoch":0.5,"loss":0.693,"rewards/margins":0.0,"rewards/accuracies":0.0,"learning_rate":0.003}
            {"step":2,"epoch":1.0,"loss":0.6,"rewards/margins":0.3,"rewards/accuracies":1.0,"learning_rate":0.0015}
            {"step":2,"epoch":1.0,"eval_loss":0.68,"eval_rewards/margins":0.05,"eval_rewards/accuracies":0.6}
            """;

    @Test
    void writesPageAndChartsUnderTheFirstRunByDefault() throws Exception {
        Path a = run("dpo-a", METRICS + "{\"step\":3,\"lo");
        Run r = report(a.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path dir = a.resolve("report");
        assertThat(r.out()).contains("report: " + dir.toAbsolutePath().normalize().resolve("index.html"))
                .contains("4 charts, 1 run, 1 skipped");
        assertThat(r.err()).contains("warning: skipped " + a.resolve("metrics.jsonl") + ":4: torn last line");
        String html = Files.readString(dir.resolve("index.html"));
        for (String id : new String[] {"loss", "rewards-margins", "rewards-accuracies", "learning-rate"}) {
            assertThat(html).contains("<img src=\"charts/" + id + ".png\"");
            BufferedImage png = ImageIO.read(dir.resolve("charts/" + id + ".png").toFile());
            assertThat(png.getWidth()).isEqualTo(900);
            assertThat(png.getHeight()).isEqualTo(450);
        }
        assertThat(html).contains("<title>dpo4j report: dpo-a</title>").contains("<h2 id=\"skipped\">Skipped input</h2>")
                .doesNotContain("http://").doesNotContain("https://").doesNotContain("<script");
        assertThat(dir.resolve(ReportWriter.MARKER)).isRegularFile();
        assertNoTemporaries(a);
    }

    @Test
    void overlaidRunsAreDrawnInTheirOwnColours() throws Exception {
        Path a = run("dpo-a", METRICS);
        Path b = run("dpo-b", METRICS.replace("0.6,", "0.4,"));
        Path out = tmp.resolve("cmp");
        Run r = report(a.toString(), b.toString(), "--output", out.toString(), "--width", "600", "--height", "300");
        assertThat(r.code()).as(r.err()).isZero();
        BufferedImage loss = ImageIO.read(out.resolve("charts/loss.png").toFile());
        assertThat(loss.getWidth()).isEqualTo(600);
        assertThat(pixels(loss, 0x0072B2)).as("run 1 colour").isGreaterThan(50);
        assertThat(pixels(loss, 0xD55E00)).as("run 2 colour").isGreaterThan(50);
        assertThat(Files.readString(out.resolve("index.html"))).contains("<td>dpo-a</td>").contains("<td>dpo-b</td>");
    }

    @Test
    void runsWithTheSameDirectoryNameAreNamedByPath() throws Exception {
        Path a = run("x/dpo", METRICS);
        Path b = run("y/dpo", METRICS);
        Run r = report(a.toString(), b.toString(), "--output", tmp.resolve("r").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(tmp.resolve("r/index.html"))).contains("<td>" + a + "</td>")
                .contains("<td>" + b + "</td>");
        Run twice = report(a.toString(), a.resolve("../dpo").toString(), "--output", tmp.resolve("r2").toString());
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("is the same directory as").contains("expected each run once");
    }

    @Test
    void runNamesAreEscapedInThePage() throws Exception {
        Path a = run("a<b>&c", METRICS);
        Run r = report(a.toString(), "--output", tmp.resolve("esc").toString());
        assertThat(r.code()).as(r.err()).isZero();
        String html = Files.readString(tmp.resolve("esc/index.html"));
        assertThat(html).contains("<td>a&lt;b&gt;&amp;c</td>").contains("<title>dpo4j report: a&lt;b&gt;&amp;c</title>")
                .doesNotContain("<b>");
    }

    @Test
    void anOutputThatIsOrHoldsAnInputIsRefused() throws Exception {
        Path a = run("dpo-a", METRICS);
        Run itself = report(a.toString(), "--output", a.toString());
        assertThat(itself.code()).isEqualTo(2);
        assertThat(itself.err().strip()).startsWith("error: --output " + a + " is or contains the input ")
                .contains("metrics.jsonl; refusing to replace it").doesNotContain("\n");
        Run file = report(a.toString(), "--output", a.resolve("metrics.jsonl").toString());
        assertThat(file.code()).isEqualTo(2);
        assertThat(file.err()).contains("expected a directory, found a regular file");
        Run parent = report(a.toString(), "--output", tmp.toString());
        assertThat(parent.code()).isEqualTo(2);
        Run ckpt = report(a.toString(), "--output", a.resolve("checkpoints/report").toString());
        assertThat(ckpt.err()).contains("is inside the checkpoints of run");
        assertThat(Files.readString(a.resolve("metrics.jsonl"))).isEqualTo(METRICS);
        assertThat(a.resolve("checkpoints")).doesNotExist();
        assertNoTemporaries(a);
    }

    @Test
    void anEarlierReportIsReplacedButAnyOtherDirectoryIsNot() throws Exception {
        Path a = run("dpo-a", METRICS);
        Path other = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(other.resolve("todo.txt"), "keep me");
        Run refused = report(a.toString(), "--output", other.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("exists and is not a dpo4j report (no .dpo4j-report in it)");
        assertThat(other.resolve("todo.txt")).hasContent("keep me");

        Path out = tmp.resolve("rep");
        assertThat(report(a.toString(), "--output", out.toString()).code()).isZero();
        Files.writeString(out.resolve("charts/stale.png"), "old");
        assertThat(report(a.toString(), "--output", out.toString()).code()).isZero();
        assertThat(out.resolve("charts/stale.png")).doesNotExist();
        assertThat(out.resolve("charts/loss.png")).isRegularFile();
        assertNoTemporaries(tmp);
    }

    @Test
    void badInputIsOneLineNamingFileAndLine() throws Exception {
        Path missing = Files.createDirectories(tmp.resolve("empty"));
        Run none = report(missing.toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err().strip()).isEqualTo("error: " + missing.resolve("metrics.jsonl")
                + ": expected the run's metrics file (written by dpo4j train), found no such file");
        assertThat(missing.resolve("report")).doesNotExist();

        Path a = run("dpo-a", "{\"step\":1,\"loss\":0.7}\n{oops}\n");
        Run strict = report(a.toString(), "--strict");
        assertThat(strict.code()).isEqualTo(2);
        assertThat(strict.err().strip()).startsWith("error: " + a.resolve("metrics.jsonl") + ":2: expected a JSON "
                + "object, found text that is not JSON").doesNotContain("\n");
        assertThat(a.resolve("report")).doesNotExist();

        Run size = report(a.toString(), "--width", "10");
        assertThat(size.err()).contains("chart size: expected 200-4000 x 150-4000 pixels, found 10 x 450");
    }

    private static long pixels(BufferedImage img, int rgb) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void assertNoTemporaries(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList()).isEmpty();
        }
    }
}
