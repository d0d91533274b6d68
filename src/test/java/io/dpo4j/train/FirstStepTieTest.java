package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The first optimizer step of a real run, where the policy is the reference: the reference pass batches every pair
 * differently from the training step (other neighbours, other padding), yet TRL's step-1 metrics must read exactly
 * zero rewards and margins and accuracy 0, and the loss ln 2 (z = 0 for every pair).
 */
class FirstStepTieTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"tiny-gpt2,sigmoid", "tiny-llama,sigmoid", "tiny-gpt2,ipo", "tiny-llama,hinge"})
    void stepOneMetricsShowATie(String model, String loss) throws Exception {
        Path out = tmp.resolve("run");
        int code = Main.commandLine().execute("train", "--no-progress", "--artifacts", "artifacts/" + model,
                "--loss", loss, "--max-steps", "1", "--log-every", "1", "--batch-size", "8", "--grad-accum", "2",
                "--output", out.toString(), "--cache-dir", tmp.resolve("cache").toString());
        assertThat(code).isZero();
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("step").asInt()).isEqualTo(1);
        assertThat(first.get("rewards/chosen").asDouble()).isEqualTo(0.0);
        assertThat(first.get("rewards/rejected").asDouble()).isEqualTo(0.0);
        assertThat(first.get("rewards/margins").asDouble()).isEqualTo(0.0);
        assertThat(first.get("rewards/accuracies").asDouble()).isEqualTo(0.0);
        if (loss.equals("sigmoid")) {
            assertThat(first.get("loss").asDouble()).isCloseTo(Math.log(2), org.assertj.core.api.Assertions.within(1e-6));
        }
    }
}
