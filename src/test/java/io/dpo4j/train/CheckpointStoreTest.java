package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checksums of trainer_state.json cover every file of a checkpoint directory and are verified on load. */
class CheckpointStoreTest {
    private static final Path ART = Path.of("artifacts/tiny-gpt2");

    @TempDir
    Path tmp;

    /** A checkpoint directory with the ORT checkpoint plus an external-data file, as ORT writes for large models. */
    private Path checkpointWithExternalData() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("checkpoints/step-000007"));
        Files.copy(ART.resolve("checkpoint"), dir.resolve(CheckpointStore.ORT_FILE));
        byte[] data = new byte[64 * 1024];
        new Random(7).nextBytes(data);
        Files.write(dir.resolve("checkpoint.data"), data);
        TrainerState state = new TrainerState(7, 14, "fingerprint", null).withFiles(CheckpointFiles.of(dir));
        Files2.JSON.writeValue(dir.resolve(CheckpointStore.STATE_FILE).toFile(), state);
        return dir;
    }

    @Test
    void saveRecordsEveryFileAndLoadVerifiesIt() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        Path dir;
        try (OrtEnvironment env = OrtEnvironment.create("test");
             TrainingSession s = TrainingSession.open(env, SessionConfig.cpuDefaults(), ART.resolve("checkpoint"),
                     ART.resolve("training_model.onnx"), ART.resolve("eval_model.onnx"),
                     ART.resolve("optimizer_model.onnx"))) {
            dir = store.save(s, new TrainerState(3, 6, "fp", null));
        }
        JsonNode files = Files2.JSON.readTree(dir.resolve(CheckpointStore.STATE_FILE).toFile()).get("files");
        Path ort = dir.resolve(CheckpointStore.ORT_FILE);
        assertThat(files.get("checkpoint").get("sha256").asText()).isEqualTo(Files2.sha256(ort));
        assertThat(files.get("checkpoint").get("bytes").asLong()).isEqualTo(Files.size(ort));
        TrainerState loaded = CheckpointStore.load(dir);
        assertThat(loaded.step()).isEqualTo(3);
        assertThat(loaded.checkpointSha256()).isEqualTo(Files2.sha256(ort));

        Files.writeString(dir.resolve("checkpoint.data"), "added later");
        assertThatThrownBy(() -> CheckpointStore.load(dir)).hasMessageContaining("'checkpoint.data'")
                .hasMessageContaining("does not cover");
    }

    @Test
    void flippedByteInExternalDataIsRefusedNamingTheFile() throws IOException {
        Path dir = checkpointWithExternalData();
        assertThat(CheckpointStore.load(dir).files()).containsOnlyKeys("checkpoint", "checkpoint.data");

        Path data = dir.resolve("checkpoint.data");
        String recorded = Files2.sha256(data);
        byte[] bytes = Files.readAllBytes(data);
        bytes[40_000] ^= 0x10;
        Files.write(data, bytes);
        assertThatThrownBy(() -> CheckpointStore.load(dir))
                .hasMessageContaining("checkpoint " + data + " is corrupt")
                .hasMessageContaining("expects sha256 " + recorded)
                .hasMessageContaining("file has " + Files2.sha256(data));
    }

    @Test
    void aLoadThroughTheChecksumCacheReusesSumsAndStillRefusesAByteFlippedInPlace() throws Exception {
        Path dir = checkpointWithExternalData();
        Thread.sleep(30); // the flip below must land in a later time stamp tick than the hashed state
        io.dpo4j.artifacts.HashCache cache = io.dpo4j.artifacts.HashCache.in(tmp.resolve("cache"), 1, 0, true);
        assertThat(CheckpointStore.load(dir, cache).files()).containsOnlyKeys("checkpoint", "checkpoint.data");
        try (var entries = Files.list(tmp.resolve("cache").resolve(io.dpo4j.artifacts.HashCache.SUBDIR))) {
            assertThat(entries.count()).as("one entry per checkpoint file").isEqualTo(2);
        }
        assertThat(CheckpointStore.load(dir, cache).files()).containsOnlyKeys("checkpoint", "checkpoint.data");
        Path data = dir.resolve("checkpoint.data");
        byte[] bytes = Files.readAllBytes(data);
        bytes[40_000] ^= 0x10; // same size: only the change time tells the cache
        Files.write(data, bytes);
        assertThatThrownBy(() -> CheckpointStore.load(dir, cache))
                .hasMessageContaining("checkpoint " + data + " is corrupt")
                .hasMessageContaining("file has " + Files2.sha256(data));
    }

    @Test
    void truncatedFileIsRefusedBySizeBeforeHashing() throws IOException {
        Path dir = checkpointWithExternalData();
        try (FileChannel ch = FileChannel.open(dir.resolve("checkpoint.data"), StandardOpenOption.WRITE)) {
            ch.truncate(1000);
        }
        assertThatThrownBy(() -> CheckpointStore.load(dir)).hasMessageContaining("checkpoint.data is corrupt")
                .hasMessageContaining("over 65536 bytes, file has 1000 bytes (not hashed)");
        Files.delete(dir.resolve("checkpoint.data"));
        assertThatThrownBy(() -> CheckpointStore.load(dir)).hasMessageContaining("entry 'checkpoint.data'")
                .hasMessageContaining("no such file");
    }

    @Test
    void listedNamesStayInsideTheCheckpoint() throws IOException {
        Path dir = checkpointWithExternalData();
        Files.writeString(tmp.resolve("outside.bin"), "outside");
        TrainerState state = CheckpointStore.load(dir);
        Map<String, CheckpointFiles.Entry> files = new java.util.HashMap<>(state.files());
        files.put("../../outside.bin", new CheckpointFiles.Entry(Files2.sha256(tmp.resolve("outside.bin")), 7));
        Files2.JSON.writeValue(dir.resolve(CheckpointStore.STATE_FILE).toFile(), new TrainerState(state.step(),
                state.microBatches(), state.configFingerprint(), state.checkpointSha256(), state.evalLoss(), files, null));
        assertThatThrownBy(() -> CheckpointStore.load(dir)).hasMessageContaining("field 'files'")
                .hasMessageContaining("entry '../../outside.bin'").hasMessageContaining("'..' segment");
    }

    @Test
    void olderSingleFileStateStillLoadsAndIsVerified() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("old"));
        Path ort = dir.resolve(CheckpointStore.ORT_FILE);
        Files.copy(ART.resolve("checkpoint"), ort);
        Files.writeString(dir.resolve(CheckpointStore.STATE_FILE), "{\"step\": 5, \"micro_batches\": 10, "
                + "\"config_fingerprint\": \"fp\", \"checkpoint_sha256\": \"" + Files2.sha256(ort) + "\"}");
        TrainerState old = CheckpointStore.load(dir);
        assertThat(old.step()).isEqualTo(5);
        assertThat(old.files()).isNull();

        byte[] bytes = Files.readAllBytes(ort);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(ort, bytes);
        assertThatThrownBy(() -> CheckpointStore.load(dir)).hasMessageContaining("checkpoint " + ort + " is corrupt")
                .hasMessageContaining("expects sha256");
    }
}
