package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.cli.Main;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.util.Files2;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train --save-only-model}: checkpoints without the AdamW moments hold the same parameters as a full checkpoint
 * of the same run, are marked in trainer_state.json, are refused by {@code --resume} with the way out, and start a new
 * run through {@code --init-from}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SaveOnlyModelTest {
    private Path tmp;
    private Path full;
    private Path only;

    /** The same 3-step run twice: full checkpoints, then parameters only. */
    @BeforeAll
    void trainBothWays(@TempDir Path dir) {
        tmp = dir;
        full = tmp.resolve("full");
        only = tmp.resolve("only");
        assertThat(run("--output", full.toString(), "--max-steps", "3").exit()).isZero();
        assertThat(run("--output", only.toString(), "--max-steps", "3", "--save-only-model").exit()).isZero();
    }

    private record Outcome(int exit, String err) {
    }

    private Outcome run(String... args) {
        return runOn(Path.of("artifacts/tiny-gpt2"), args);
    }

    private Outcome runOn(Path artifacts, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--no-progress", "--artifacts", artifacts.toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--eval-fraction", "0", "--lr-schedule",
                "constant"));
        all.addAll(List.of(args));
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        return new Outcome(cl.execute(all.toArray(String[]::new)), err.toString());
    }

    private static Path ort(Path run) {
        return new CheckpointStore(run).dirOf(3).resolve(CheckpointStore.ORT_FILE);
    }

    @Test
    void parametersEqualTheFullCheckpointsBitForBitInFewerBytes() throws Exception {
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts/tiny-gpt2"));
        SessionConfig sc = SessionConfig.cpuDefaults();
        try (OrtEnvironment env = OrtEnvironment.create("save-only-model-test")) {
            float[] a = CheckpointWeights.trainable(env, sc, art, ort(full));
            float[] b = CheckpointWeights.trainable(env, sc, art, ort(only));
            assertThat(b).hasSize(378_624).containsExactly(a);
        }
        // AdamW's two moments are as large as the parameters: the full checkpoint is about three times the size
        assertThat(Files.size(ort(only)) * 2.5).isLessThan(Files.size(ort(full)));
    }

    @Test
    void trainerStateSaysSoAndTheChecksumsCoverTheFile() throws Exception {
        Path dir = new CheckpointStore(only).dirOf(3);
        JsonNode state = Files2.JSON.readTree(dir.resolve(CheckpointStore.STATE_FILE).toFile());
        assertThat(state.get("optimizer_state").asBoolean(true)).isFalse();
        assertThat(CheckpointStore.load(dir).resumable()).isFalse();
        JsonNode fullState = Files2.JSON.readTree(new CheckpointStore(full).dirOf(3)
                .resolve(CheckpointStore.STATE_FILE).toFile());
        assertThat(fullState.has("optimizer_state")).isFalse(); // unchanged format for full checkpoints
        assertThat(CheckpointStore.load(new CheckpointStore(full).dirOf(3)).resumable()).isTrue();
    }

    @Test
    void aModelWhoseResumableCheckpointOrtCannotWriteNeedsSaveOnlyModelAndSaysSoBeforeTraining() throws Exception {
        Path art = io.dpo4j.artifacts.ArtifactCopies.copyOf(Files.createDirectories(tmp.resolve("big")), "tiny-gpt2");
        com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.dpo4j.util.Files2.JSON.readTree(art.resolve("manifest.json").toFile());
        m.put("num_parameters", 200_000_000L); // as a 200M model's manifest says: moments + parameters 2.4 GB
        io.dpo4j.util.Files2.JSON.writeValue(art.resolve("manifest.json").toFile(), m);
        Path out = tmp.resolve("big-full");
        Outcome refused = runOn(art, "--output", out.toString(), "--max-steps", "1");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains(art + ": a resumable checkpoint of this model cannot be written")
                .contains("2 GiB").contains("Pass --save-only-model");
        assertThat(out.resolve("metrics.jsonl")).doesNotExist();
        assertThat(runOn(art, "--output", tmp.resolve("big-only").toString(), "--max-steps", "1",
                "--save-only-model").exit()).isZero();
    }

    @Test
    void resumeIsRefusedNamingTheWayOut() {
        Path dir = new CheckpointStore(only).dirOf(3);
        Outcome o = run("--output", tmp.resolve("resumed").toString(), "--max-steps", "4", "--resume", dir.toString(),
                "--save-only-model");
        assertThat(o.exit()).isNotZero();
        assertThat(o.err()).contains("--resume " + dir).contains("--save-only-model")
                .contains("--init-from " + dir);
        assertThat(tmp.resolve("resumed").resolve("checkpoints")).doesNotExist();
    }

    @Test
    void initFromStartsANewRunAtItsWeights() throws Exception {
        Path out = tmp.resolve("next");
        Path dir = new CheckpointStore(only).dirOf(3);
        assertThat(run("--output", out.toString(), "--max-steps", "1", "--init-from", dir.toString(),
                "--reference-from", dir.toString(), "--log-every", "1").exit()).isZero();
        JsonNode m = Files2.JSON.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
        assertThat(m.get("rewards/margins").asDouble()).isEqualTo(0.0); // policy == reference at step 1
    }

    @Test
    void initFromItTrainsBitForBitAsFromTheFullCheckpointOfTheSameRun() throws Exception {
        Path fromFull = tmp.resolve("from-full");
        Path fromOnly = tmp.resolve("from-only");
        Path ref = new CheckpointStore(full).dirOf(3);
        assertThat(run("--output", fromFull.toString(), "--max-steps", "2", "--log-every", "1", "--init-from",
                ref.toString()).exit()).isZero(); // parameters copied into a session on the artifacts' checkpoint
        assertThat(run("--output", fromOnly.toString(), "--max-steps", "2", "--log-every", "1", "--init-from",
                new CheckpointStore(only).dirOf(3).toString()).exit()).isZero(); // the session opens on it
        List<String> a = Files.readAllLines(fromFull.resolve("metrics.jsonl"));
        List<String> b = Files.readAllLines(fromOnly.resolve("metrics.jsonl"));
        assertThat(b).hasSize(a.size()).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 0; i < a.size(); i++) {
            JsonNode x = withoutSpeed(Files2.JSON.readTree(a.get(i)));
            JsonNode y = withoutSpeed(Files2.JSON.readTree(b.get(i)));
            assertThat(y).as("metrics record %d", i).isEqualTo(x);
        }
        try (OrtEnvironment env = OrtEnvironment.create("save-only-model-test")) {
            ArtifactSet art = ArtifactSet.load(Path.of("artifacts/tiny-gpt2"));
            Path end = new CheckpointStore(fromFull).dirOf(2).resolve(CheckpointStore.ORT_FILE);
            assertThat(CheckpointWeights.trainable(env, SessionConfig.cpuDefaults(), art, new CheckpointStore(fromOnly)
                    .dirOf(2).resolve(CheckpointStore.ORT_FILE))).containsExactly(CheckpointWeights.trainable(env,
                    SessionConfig.cpuDefaults(), art, end));
        }
    }

    private static JsonNode withoutSpeed(JsonNode record) {
        com.fasterxml.jackson.databind.node.ObjectNode o = record.deepCopy();
        o.remove(List.of("pairs/s", "tokens/s"));
        return o;
    }
}
