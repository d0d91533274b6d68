package io.dpo4j.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep runner with a stand-in trial (the objective is a known function of the option values): budget,
 * ranking, the append-only trial log, resuming after a crash without rerunning finished trials, and refusing a
 * resume with other settings.
 */
class SweepTest {
    @TempDir
    Path tmp;

    private final List<Map<String, String>> calls = new ArrayList<>();

    private SweepSettings settings(String strategy, int trials) {
        return new SweepSettings(List.of(SearchParam.parse("lr=1e-4:1e-2"), SearchParam.parse("beta=0.05:0.5")),
                strategy, trials, 3, "eval_loss", false, 7, 1, tmp.resolve("sweep"), List.of("max-steps=5"), null);
    }

    /** eval_loss = (log10 lr + 3)² + (beta − 0.2)², minimal at lr 1e-3, beta 0.2. */
    private Map<String, Double> fakeTrial(List<String> args, Path dir) {
        Map<String, String> opts = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < args.size(); i += 2) {
            opts.put(args.get(i).substring(2), args.get(i + 1));
        }
        calls.add(opts);
        double lr = Double.parseDouble(opts.get("lr")), beta = Double.parseDouble(opts.getOrDefault("beta", "0.2"));
        return Map.of("eval_loss", Math.pow(Math.log10(lr) + 3, 2) + Math.pow(beta - 0.2, 2), "eval_rewards/margins", 0.1);
    }

    private List<TrialRecord> run(SweepSettings s) {
        return new Sweep(s, this::fakeTrial, new PrintStream(new ByteArrayOutputStream())).run();
    }

    @Test
    void runsTheBudgetAndRanksTrials() throws Exception {
        List<TrialRecord> board = run(settings("bayes", 10));
        assertThat(calls).hasSize(10);
        assertThat(calls.get(0)).containsEntry("max-steps", "5").containsKey("output").containsKey("cache-dir");
        assertThat(board).hasSize(10);
        for (int i = 1; i < board.size(); i++) {
            assertThat(board.get(i).objective()).isGreaterThanOrEqualTo(board.get(i - 1).objective());
        }
        List<String> lines = Files.readAllLines(tmp.resolve("sweep/leaderboard.tsv"));
        assertThat(lines.get(0)).isEqualTo("rank\ttrial\tlr\tbeta\teval_loss");
        assertThat(lines).hasSize(11);
        assertThat(Files.readAllLines(tmp.resolve("sweep/trials.jsonl"))).hasSize(20); // started + done per trial
    }

    @Test
    void resumesAfterACrashWithoutRerunningFinishedTrials() throws Exception {
        run(settings("random", 3));
        List<Map<String, String>> first = new ArrayList<>(calls);
        // A crash during trial 3: its start was logged, then a torn line.
        Path log = tmp.resolve("sweep/trials.jsonl");
        String started = "{\"trial\":3,\"status\":\"started\",\"point\":[0.5,0.5],\"values\":{\"lr\":\"0.001\","
                + "\"beta\":\"0.15811388300841897\"}}\n";
        Files.writeString(log, started + "{\"trial\":3,\"sta", StandardOpenOption.APPEND);
        calls.clear();
        List<TrialRecord> board = run(settings("random", 5));
        assertThat(calls).hasSize(2); // trial 3 again (same values) and trial 4; trials 0-2 kept
        assertThat(calls.get(0)).containsEntry("lr", "0.001");
        assertThat(board).hasSize(5);
        assertThat(Files.readString(log)).doesNotContain("{\"trial\":3,\"sta{");
        // trial 4 is what an uninterrupted random sweep proposes for it, and trials 0-2 were those of the first run
        Map<String, String> resumedTrial4 = calls.get(1);
        calls.clear();
        Files.walk(tmp.resolve("sweep")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        run(settings("random", 5));
        assertThat(calls.get(4)).isEqualTo(resumedTrial4);
        assertThat(calls.subList(0, 3)).isEqualTo(first);
    }

    @Test
    void otherSettingsOnTheSameDirectoryAreRefused() {
        run(settings("random", 2));
        assertThatThrownBy(() -> run(settings("bayes", 2))).hasMessageContaining("started with other settings");
    }

    @Test
    void aMissingObjectiveNamesTheAvailableMetrics() {
        SweepSettings s = new SweepSettings(List.of(SearchParam.parse("lr=1e-4:1e-2")), "random", 1, 3,
                "eval_rewards/accuracies", true, 1, 1, tmp.resolve("s2"), List.of(), null);
        assertThatThrownBy(() -> run(s)).hasMessageContaining("eval_rewards/accuracies")
                .hasMessageContaining("eval_loss");
    }
}
