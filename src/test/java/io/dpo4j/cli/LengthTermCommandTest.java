package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.artifacts.GraphContract;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.util.Files2;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * iLR-DPO's {@code --length-target L --length-lambda λ} on the command line: defaults equal the library's, the run's
 * config.yaml carries and reproduces them, the term reaches the graph, and artifacts whose loss graph lacks the inputs
 * are refused up front when λ ≠ 0.
 */
class LengthTermCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Run(Main.execute(cl, args), err.toString());
    }

    @Test
    void commandLineDefaultsAreTheLibraryDefaults() {
        for (String command : List.of("train", "eval")) {
            CommandLine root = Main.commandLine();
            root.parseArgs(command);
            Object cmd = root.getSubcommands().get(command).getCommand();
            LossOptions loss = cmd instanceof TrainCommand t ? t.options.loss : ((EvalCommand) cmd).loss;
            assertThat(loss.toConfig()).as(command).isEqualTo(LossConfig.defaults());
        }
    }

    @Test
    void theRunsConfigCarriesTheTermAndReproducesTheRun() throws Exception {
        Path a = tmp.resolve("a");
        List<String> common = List.of("train", "--no-progress", "--max-steps", "2", "--batch-size", "4", "--log-every",
                "1", "--lr", "1e-3", "--cache-dir", tmp.resolve("cache").toString());
        assertThat(run(with(common, "--length-target", "30", "--length-lambda", "0.001", "--output", a.toString()))
                .code()).isZero();
        String written = Files.readString(a.resolve(ConfigFile.RUN_FILE));
        assertThat(written).contains("length-target: 30.0").contains("length-lambda: 0.001");
        Path b = tmp.resolve("b");
        assertThat(run("train", "--config", a.resolve(ConfigFile.RUN_FILE).toString(), "--output", b.toString())
                .code()).isZero();
        assertThat(losses(b)).isEqualTo(losses(a)).hasSize(3); // 2 steps + the final evaluation
        Path off = tmp.resolve("off");
        assertThat(run(with(common, "--output", off.toString())).code()).isZero();
        assertThat(losses(off)).as("λ = 0 must give other losses: the term reaches the graph")
                .doesNotContainAnyElementsOf(losses(a));
    }

    @Test
    void artifactsWithoutTheInputsAreRefusedUpFrontWhenLambdaIsOn() throws Exception {
        Path art = olderArtifacts();
        Path out = tmp.resolve("run");
        Run train = run("train", "--artifacts", art.toString(), "--length-lambda", "0.01", "--output", out.toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--no-progress");
        assertThat(train.code()).isNotZero();
        assertThat(train.err()).startsWith("error: --length-lambda 0.01: expected " + art.resolve("training_model.onnx")
                        + " to have the inputs [length_target, length_lambda]")
                .contains("found [input_ids, attention_mask").contains("rpo_alpha]")
                .contains("re-export with tools/export/export.py");
        assertThat(out.resolve(ConfigFile.RUN_FILE)).doesNotExist(); // refused before the run started
        Run eval = run("eval", "--artifacts", art.toString(), "--length-lambda", "0.5", "--cache-dir",
                tmp.resolve("cache").toString());
        assertThat(eval.code()).isNotZero();
        assertThat(eval.err()).contains("--length-lambda 0.5: expected " + art.resolve("training_model.onnx"))
                .contains("re-export with tools/export/export.py");
    }

    /** A copy of tiny-gpt2 whose manifest describes training/eval graphs exported before the length inputs. */
    private Path olderArtifacts() throws Exception {
        Path dst = io.dpo4j.artifacts.ArtifactCopies.copyOf(tmp, "tiny-gpt2");
        ObjectNode manifest = (ObjectNode) Files2.JSON.readTree(dst.resolve("manifest.json").toFile());
        for (String graph : List.of("training_model.onnx", "eval_model.onnx")) {
            ArrayNode inputs = (ArrayNode) manifest.get("graphs").get(graph).get("inputs");
            for (Iterator<JsonNode> it = inputs.elements(); it.hasNext(); ) {
                if (GraphContract.LENGTH_INPUTS.contains(it.next().get("name").asText())) {
                    it.remove();
                }
            }
        }
        Files2.JSON.writeValue(dst.resolve("manifest.json").toFile(), manifest);
        return dst;
    }

    private static String[] with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** @return every record's step and loss values (timing fields differ between runs) */
    private static List<String> losses(Path run) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode n = Files2.JSON.readTree(line);
            out.add(n.get("step") + " " + n.path("loss") + n.path("eval_loss"));
        }
        return out;
    }
}
