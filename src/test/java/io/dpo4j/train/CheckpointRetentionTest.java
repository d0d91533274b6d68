package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.cli.Main;
import io.dpo4j.util.Files2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --save-total-limit} keeps the newest N checkpoints and {@code --save-best} also the lowest eval loss; only
 * directories named and filled like our checkpoints are deleted, never a protected one.
 */
class CheckpointRetentionTest {
    @TempDir
    Path tmp;

    private CheckpointStore store;

    private Path checkpoint(long step, Double evalLoss) throws Exception {
        Path dir = Files.createDirectories(store.dirOf(step));
        Files.writeString(dir.resolve(CheckpointStore.ORT_FILE), "ort");
        Files2.JSON.writeValue(dir.resolve(CheckpointStore.STATE_FILE).toFile(),
                new TrainerState(step, step * 2, "fp", "sha", evalLoss));
        return dir;
    }

    private Set<String> names() throws Exception {
        try (Stream<Path> s = Files.list(store.root())) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    private void fiveCheckpoints() throws Exception {
        store = new CheckpointStore(tmp.resolve("run"));
        double[] losses = {0.5, 0.2, 0.4, 0.3, 0.6};
        for (int i = 0; i < losses.length; i++) {
            checkpoint(10L * (i + 1), losses[i]);
        }
    }

    @Test
    void newestNAreKept() throws Exception {
        fiveCheckpoints();
        List<Path> deleted = new CheckpointRetention(2, false, List.of()).apply(store);
        assertThat(deleted).containsExactly(store.dirOf(10), store.dirOf(20), store.dirOf(30));
        assertThat(names()).containsExactly("step-000040", "step-000050");
    }

    @Test
    void theBestByEvalLossIsKeptBesidesTheNewest() throws Exception {
        fiveCheckpoints();
        new CheckpointRetention(2, true, List.of()).apply(store);
        assertThat(names()).containsExactly("step-000020", "step-000040", "step-000050");
        new CheckpointRetention(1, true, List.of()).apply(store);
        assertThat(names()).containsExactly("step-000020", "step-000050");
    }

    @Test
    void zeroKeepsEverything() throws Exception {
        fiveCheckpoints();
        assertThat(new CheckpointRetention(0, true, List.of()).apply(store)).isEmpty();
        assertThat(names()).hasSize(5);
    }

    @Test
    void onlyOurCheckpointsAreDeletedAndNeverAProtectedOne() throws Exception {
        fiveCheckpoints();
        Path foreign = Files.createDirectories(store.root().resolve("step-000001"));      // no trainer_state.json
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        Path mismatch = checkpoint(2, null);                                                // state says another step
        Files2.JSON.writeValue(mismatch.resolve(CheckpointStore.STATE_FILE).toFile(),
                new TrainerState(7, 0, "fp", "sha", null));
        Path garbage = Files.createDirectories(store.root().resolve("step-000003"));      // not our JSON
        Files.writeString(garbage.resolve(CheckpointStore.STATE_FILE), "[1, 2]");
        Path otherName = Files.createDirectories(store.root().resolve("step-000004-copy"));
        Files.writeString(otherName.resolve(CheckpointStore.STATE_FILE), "{}");
        Path data = Files.writeString(store.dirOf(30).resolve("data.jsonl"), "{}\n");     // an input inside
        new CheckpointRetention(1, false, List.of(store.dirOf(10), data)).apply(store);
        assertThat(names()).containsExactly("step-000001", "step-000002", "step-000003", "step-000004-copy",
                "step-000010", "step-000030", "step-000050");
    }

    @Test
    void trainingKeepsTheNewestAndTheBestAndSweepsLeftovers() throws Exception {
        Path out = tmp.resolve("run");
        Path leftover = Files.createDirectories(out.resolve("checkpoints/step-000005.tmp-42"));
        Files.writeString(leftover.resolve(CheckpointStore.ORT_FILE), "half-written");
        List<String> args = new ArrayList<>(List.of("train", "--output", out.toString(), "--cache-dir",
                tmp.resolve("cache").toString(), "--max-steps", "20", "--batch-size", "4", "--save-every", "5",
                "--eval-every", "5", "--save-total-limit", "1", "--save-best", "--lr", "3e-2", "--no-progress"));
        assertThat(Main.commandLine().execute(args.toArray(String[]::new))).isZero();
        assertThat(leftover).doesNotExist();

        long best = -1;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = Files2.JSON.readTree(line);
            if (n.has("eval_loss") && n.get("eval_loss").asDouble() < bestLoss) {
                bestLoss = n.get("eval_loss").asDouble();
                best = n.get("step").asLong();
            }
        }
        store = new CheckpointStore(out);
        Set<String> expected = new TreeSet<>(List.of("step-000020", String.format("step-%06d", best)));
        assertThat(names()).isEqualTo(expected);
        TrainerState st = CheckpointStore.load(store.dirOf(best));
        assertThat(st.evalLoss()).isEqualTo(bestLoss);
        assertThat(CheckpointStore.load(store.dirOf(20)).evalLoss()).isNotNull();
    }
}
