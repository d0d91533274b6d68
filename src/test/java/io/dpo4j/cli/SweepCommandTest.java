package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dpo4j sweep} end to end on the embedded default: real trials, their run directories and the leaderboard. */
class SweepCommandTest {
    @TempDir
    Path tmp;

    @Test
    void smallRandomSweepTrainsEachTrialAndRanksThem() throws Exception {
        Path out = tmp.resolve("sweep");
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = Main.execute(cl, "sweep", "--strategy", "random", "--trials", "2", "--param", "lr=1e-3:1e-2",
                "--train-option", "max-steps=3", "--output", out.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> board = Files.readAllLines(out.resolve("leaderboard.tsv"));
        assertThat(board).hasSize(3);
        assertThat(board.get(0)).isEqualTo("rank\ttrial\tlr\teval_loss");
        for (String trial : List.of("trial-000", "trial-001")) {
            Path dir = out.resolve(trial);
            assertThat(dir.resolve("metrics.jsonl")).isNotEmptyFile();
            assertThat(Files.readString(dir.resolve(ConfigFile.RUN_FILE))).contains("max-steps: 3").contains("lr: ");
            assertThat(dir.resolve("train.log")).isNotEmptyFile();
        }
        assertThat(out.resolve("cache")).isDirectory(); // one reference cache for every trial
    }
}
