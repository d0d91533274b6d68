package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library API: builder defaults, validation by option name, and listeners seeing what the run writes. */
class DpoTrainerTest {
    private static final Path ART = Path.of("artifacts/tiny-gpt2");
    private static final Path TRAIN = Path.of("artifacts/datasets/imdb-pref/train.jsonl");

    @TempDir
    Path tmp;

    @Test
    void builderStartsFromTheCommandLineDefaults() {
        TrainConfig c = TrainConfig.builder(ART, TRAIN).build();
        assertThat(c.batchSize()).isEqualTo(Integer.parseInt(TrainDefaults.BATCH_SIZE));
        assertThat(c.learningRate()).isEqualTo(Double.parseDouble(TrainDefaults.LEARNING_RATE));
        assertThat(c.epochs()).isEqualTo(3);
        assertThat(c.evalFraction()).isEqualTo(0.1);
        assertThat(c.outputDir()).isEqualTo(Path.of("runs/dpo"));
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThatThrownBy(() -> TrainConfig.builder(ART, TRAIN).batchSize(0).build())
                .hasMessage("--batch-size: expected >= 1, found 0");
    }

    @Test
    void listenersSeeEveryStepRecordAndCheckpoint() throws Exception {
        List<Long> steps = new ArrayList<>();
        List<String> records = new ArrayList<>();
        List<Path> checkpoints = new ArrayList<>();
        Path out = tmp.resolve("run");
        RunResult r = DpoTrainer.with(TrainConfig.builder(ART, TRAIN).maxSteps(4).logEvery(2).saveEvery(2)
                        .batchSize(4).outputDir(out).cacheDir(tmp.resolve("cache")).progress(false).build())
                .listener(new TrainListener() {
                    @Override
                    public void onStep(long step, long total, double loss) {
                        assertThat(total).isEqualTo(4);
                        steps.add(step);
                    }

                    @Override
                    public void onMetrics(long step, String prefix, Map<String, Double> m) {
                        records.add(step + " " + prefix + m.get("loss"));
                    }

                    @Override
                    public void onCheckpoint(long step, Path dir) {
                        assertThat(dir.resolve("trainer_state.json")).exists();
                        checkpoints.add(dir);
                    }
                })
                .fit();
        assertThat(steps).containsExactly(1L, 2L, 3L, 4L);
        assertThat(checkpoints).hasSize(2).last().isEqualTo(r.lastCheckpoint());
        List<String> written = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            String prefix = n.has("eval_loss") ? "eval_" : "";
            written.add(n.get("step").asLong() + " " + prefix + n.get(prefix + "loss").asDouble());
        }
        assertThat(records).isEqualTo(written).hasSize(3); // steps 2 and 4, then the final evaluation
    }
}
