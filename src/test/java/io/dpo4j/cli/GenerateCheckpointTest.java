package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code generate --checkpoint}: the trained parameters replace the starting weights of the artifacts' KV-cache
 * graph, and the result equals the trained policy cut out by {@code export-inference} (no-cache path), token for
 * token, while differing from the starting weights.
 */
class GenerateCheckpointTest {
    @TempDir
    Path tmp;

    private static String run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(args)).as(err.toString()).isZero();
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void kvCacheWithTrainedWeightsEqualsTheExportedPolicy(String model) throws Exception {
        Path art = Path.of("artifacts", model);
        List<String> rows = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 8; i++) {
            rows.add(json.writeValueAsString(Map.of("prompt", "The movie was", "chosen", " great fun.",
                    "rejected", " a bore.")));
        }
        Path data = Files.write(tmp.resolve("prefs.jsonl"), rows);
        Path runDir = tmp.resolve("run");
        run("train", "--no-progress", "--artifacts", art.toString(), "--data", data.toString(), "--eval-fraction", "0",
                "--max-steps", "10", "--batch-size", "4", "--lr", "5e-2", "--output", runDir.toString(),
                "--cache-dir", tmp.resolve("cache").toString());
        Path ckpt = runDir.resolve("checkpoints/step-000010");
        Path policy = tmp.resolve("policy.onnx");
        run("export-inference", "--artifacts", art.toString(), "--checkpoint", ckpt.toString(), "--output",
                policy.toString());
        String[] common = {"--artifacts", art.toString(), "--prompt", "The movie was", "--max-new-tokens", "12"};
        String trainedKv = run(concat(new String[] {"generate", "--checkpoint", ckpt.toString()}, common));
        String exported = run(concat(new String[] {"generate", "--model", policy.toString()}, common));
        String start = run(concat(new String[] {"generate"}, common));
        assertThat(trainedKv).isEqualTo(exported);
        assertThat(trainedKv).isNotEqualTo(start);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
