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

    /** iLR-DPO's two coefficients are numeric train options, so a sweep searches them like any other. */
    @Test
    void sweepsSearchTheLengthTargetAndLambda() throws Exception {
        Path out = tmp.resolve("sweep-length");
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = Main.execute(cl, "sweep", "--strategy", "random", "--trials", "2", "--param",
                "length-lambda=0.0005:0.005:lin", "--param", "length-target=5:60:int", "--train-option",
                "max-steps=2", "--output", out.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> board = Files.readAllLines(out.resolve("leaderboard.tsv"));
        assertThat(board).hasSize(3);
        assertThat(board.get(0)).isEqualTo("rank\ttrial\tlength-lambda\tlength-target\teval_loss");
        for (String row : board.subList(1, 3)) {
            String[] f = row.split("\t");
            String trial = String.format("trial-%03d", Integer.parseInt(f[1]));
            double lambda = Double.parseDouble(f[2]);
            long target = Long.parseLong(f[3]);
            assertThat(lambda).isBetween(0.0005, 0.005);
            assertThat(target).isBetween(5L, 60L);
            String config = Files.readString(out.resolve(trial).resolve(ConfigFile.RUN_FILE));
            assertThat(config).contains("length-lambda: " + lambda).contains("length-target: " + (double) target);
        }
    }
}
