package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report of a real 6-step training run (the embedded default, logged every step, evaluated every 3) opened in
 * headless Chromium: every {@code <img>} of the rendered DOM is an existing, decodable, non-empty PNG, the title and
 * headings are there, and the browser logs no console message (a missing image, a resource refused by the page's
 * Content-Security-Policy or a script error would log one; the page has no script). A page with a broken and an
 * external image is checked the same way first, to show the console check catches them. Skipped when Chromium is not
 * installed. The screenshot is kept at {@code target/report-browser/screenshot.png} for a person to look at.
 */
class ReportBrowserTest {
    private static final Pattern IMG = Pattern.compile("<img\\b[^>]*?\\bsrc=\"([^\"]*)\"");
    private static final Pattern CONSOLE = Pattern.compile(":CONSOLE[:(]|Failed to load resource|Refused to ");

    private static String chromium;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findChromium() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    chromium = p.toString();
                    return;
                }
            }
        }
        Assumptions.abort("needs chromium: apt-get install chromium");
    }

    private record Browser(int code, String dom, List<String> consoleLines) {}

    private Browser open(Path page, Path screenshot) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--disable-gpu", "--no-sandbox",
                "--no-first-run", "--disable-extensions", "--user-data-dir=" + profile, "--enable-logging=stderr",
                "--v=0", "--window-size=1100,2600"));
        cmd.add(screenshot == null ? "--dump-dom" : "--screenshot=" + screenshot);
        cmd.add(page.toUri().toString());
        Path out = tmp.resolve("chromium.out");
        Path err = tmp.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s: " + cmd);
        }
        List<String> console = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                .filter(l -> CONSOLE.matcher(l).find()).toList();
        return new Browser(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), console);
    }

    @Test
    void theChecksCatchAMissingImageAnExternalImageAndAConsoleError() throws Exception {
        Path page = tmp.resolve("broken.html");
        Files.writeString(page, """
                <!DOCTYPE html><html><head><meta charset="utf-8">
                <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; \
                script-src 'unsafe-inline'">
                <title>broken</title></head><body><img src="missing.png"><img src="https://example.invalid/x.png">
                <script>console.error("boom")</script></body></html>""");
        Browser b = open(page, null);
        assertThat(b.code()).isZero();
        assertThat(b.dom()).contains("<title>broken</title>");
        assertThat(b.consoleLines()).anySatisfy(l -> assertThat(l).contains("example.invalid"))
                .anySatisfy(l -> assertThat(l).contains("boom"));
        assertThat(imageProblems(b.dom(), tmp)).containsExactly("missing.png: no such file",
                "https://example.invalid/x.png: not a relative path");
    }

    @Test
    void reportOfARealRunRendersInChromiumWithEveryImageAndNoConsoleError() throws Exception {
        Path run = tmp.resolve("dpo-tiny");
        int trained = Main.commandLine().execute("train", "--no-progress", "--max-steps", "6", "--log-every", "1",
                "--eval-every", "3", "--output", run.toString(), "--cache-dir", tmp.resolve("cache").toString());
        assertThat(trained).isZero();
        assertThat(Main.commandLine().execute("report", run.toString())).isZero();
        Path page = run.resolve("report").resolve("index.html");
        assertThat(page).isRegularFile();

        Browser b = open(page, null);
        assertThat(b.code()).isZero();
        String dom = b.dom();
        assertThat(dom).contains("<title>dpo4j report: dpo-tiny</title>").contains("<h1>dpo4j report: dpo-tiny</h1>")
                .contains(">Summary</h2>").contains(">Charts</h2>").doesNotContain("id=\"skipped\"");
        assertThat(dom).contains(">Training</h3>").contains(">Evaluation (held-out)</h3>")
                .contains("<td>dpo-tiny</td><td>6</td>") // final step 6
                .containsPattern("<td>dpo-tiny</td><td>6</td>(<td>[^<]*</td>){6}<td>[36]</td></tr>"); // best at 3 or 6
        assertThat(imageSources(dom)).containsExactly("charts/loss.png", "charts/rewards-margins.png",
                "charts/rewards-accuracies.png", "charts/learning-rate.png");
        assertThat(imageProblems(dom, page.getParent())).isEmpty();
        assertThat(b.consoleLines()).as("console messages").isEmpty();

        Path shot = tmp.resolve("screenshot.png");
        Browser s = open(page, shot);
        assertThat(s.code()).isZero();
        assertThat(s.consoleLines()).as("console messages").isEmpty();
        BufferedImage screen = ImageIO.read(shot.toFile());
        assertThat(screen.getWidth()).isEqualTo(1100);
        keep(shot, run.resolve("report"));
    }

    private static List<String> imageSources(String dom) {
        List<String> srcs = new ArrayList<>();
        Matcher m = IMG.matcher(dom);
        while (m.find()) {
            srcs.add(m.group(1));
        }
        return srcs;
    }

    /** @return for each {@code <img>} that is not an existing, decodable, non-empty PNG file: its src and why */
    private static List<String> imageProblems(String dom, Path pageDir) throws IOException {
        List<String> problems = new ArrayList<>();
        for (String src : imageSources(dom)) {
            if (src.contains(":") || src.startsWith("/")) {
                problems.add(src + ": not a relative path");
                continue;
            }
            Path png = pageDir.resolve(src);
            if (!Files.isRegularFile(png)) {
                problems.add(src + ": no such file");
                continue;
            }
            byte[] head = Files.readAllBytes(png);
            BufferedImage img = ImageIO.read(png.toFile());
            if (head.length < 8 || head[1] != 'P' || head[2] != 'N' || head[3] != 'G' || img == null
                    || img.getWidth() == 0) {
                problems.add(src + ": not a PNG image (" + head.length + " bytes)");
            }
        }
        return problems;
    }

    /** Copies the screenshot and report under target/report-browser for a person to look at. */
    private static void keep(Path shot, Path report) throws IOException {
        Path dir = Path.of("target", "report-browser");
        io.dpo4j.util.Files2.deleteTree(dir);
        Files.createDirectories(dir.resolve("charts"));
        Files.copy(shot, dir.resolve("screenshot.png"));
        Files.copy(report.resolve("index.html"), dir.resolve("index.html"));
        try (var s = Files.list(report.resolve("charts"))) {
            for (Path png : s.toList()) {
                Files.copy(png, dir.resolve("charts").resolve(png.getFileName()));
            }
        }
    }
}
