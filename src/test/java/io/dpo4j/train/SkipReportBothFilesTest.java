package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With {@code --eval-data}, the skip report lists the skipped rows of the training file and of the held-out file. */
class SkipReportBothFilesTest {
    @TempDir
    Path tmp;

    @Test
    void reportKeepsTheTrainingFilesRowsToo() throws Exception {
        List<String> good = Files.readAllLines(Path.of("artifacts/datasets/imdb-pref/train.jsonl")).subList(0, 12);
        List<String> trainRows = new ArrayList<>(good.subList(0, 8));
        trainRows.add(3, "{\"prompt\": \"p\", \"chosen\": 5, \"rejected\": \"r\"}");
        List<String> evalRows = new ArrayList<>(good.subList(8, 12));
        evalRows.add(1, "{\"prompt\": \"p\"}");
        Path train = Files.write(tmp.resolve("train.jsonl"), trainRows);
        Path eval = Files.write(tmp.resolve("eval.jsonl"), evalRows);
        Path report = tmp.resolve("skipped.jsonl");
        int code = Main.commandLine().execute("train", "--no-progress", "--data", train.toString(), "--eval-data",
                eval.toString(), "--on-bad-row", "skip", "--skip-report", report.toString(), "--max-steps", "1",
                "--output", tmp.resolve("run").toString(), "--cache-dir", tmp.resolve("cache").toString());
        assertThat(code).isZero();
        List<String> lines = Files.readAllLines(report);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains(train.toString()).contains("\"line\":4");
        assertThat(lines.get(1)).contains(eval.toString()).contains("\"line\":2");
        assertThat(Files.readAllLines(train)).isEqualTo(trainRows);
    }
}
