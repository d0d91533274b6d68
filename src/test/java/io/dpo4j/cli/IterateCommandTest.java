package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.PreferenceReader;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dpo4j iterate} end to end on the tiny GPT-2 with a tiny budget (2 rounds of 8 prompts x 2 samples, 2
 * training steps each, 8 held-out prompts) and a deterministic command judge (src/test/resources/iterate/
 * LetterJudge.java: the fraction of 'e' characters): the files of every round, the report's fields and values that
 * are known exactly (round 0: KL 0, win rate ½), z = 0 at step 1 of a round under {@code --reference refresh}, a
 * round's training replayed from its config.yaml bit for bit, a finished run rerun as a no-op, other options refused,
 * and a run killed with SIGKILL in a child JVM continued to the uninterrupted run's numbers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IterateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Path JUDGE = Path.of("src/test/resources/iterate/LetterJudge.java").toAbsolutePath();

    private Path tmp;
    private Path runA;
    private String judgeLog;

    /** The run every test looks at, uninterrupted. */
    @BeforeAll
    void runOnce(@TempDir Path dir) throws Exception {
        tmp = dir;
        judgeLog = tmp.resolve("judge-a.log").toString();
        runA = tmp.resolve("a");
        assertThat(run(args(runA))).as(lastErr).isZero();
    }

    private String lastErr = "";

    /** The tiny-budget run's options (the judge spec names no log, so every run shares it). */
    private List<String> args(Path out) {
        String judge = "cmd:[\"" + JAVA + "\",\"" + JUDGE + "\"]";
        return new ArrayList<>(List.of("iterate", "--no-progress", "--rounds", "2", "--prompts-per-round", "8",
                "--samples-per-prompt", "2", "--max-new-tokens", "6", "--eval-samples", "1", "--eval-max-prompts", "8",
                "--max-steps", "2", "--batch-size", "4", "--log-every", "1", "--lr", "0.01", "--beta", "0.15",
                "--reference", "refresh",
                "--judge", judge, "--output", out.toString()));
    }

    private int run(List<String> args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = Main.execute(cl, args.toArray(String[]::new));
        lastErr = err.toString();
        return code;
    }

    private static List<ObjectNode> jsonl(Path f) throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            out.add((ObjectNode) JSON.readTree(line));
        }
        return out;
    }

    @Test
    void everyRoundKeepsItsFilesAndTheReportHasARowPerRound() throws Exception {
        List<ObjectNode> report = jsonl(runA.resolve("report.jsonl"));
        assertThat(report).extracting(r -> r.get("round").asInt()).containsExactly(0, 1, 2);
        assertThat(runA.resolve("round-0")).isDirectoryContaining(p -> p.endsWith("eval-samples.jsonl"))
                .isDirectoryContaining(p -> p.endsWith("round.json"));
        for (int r = 1; r <= 2; r++) {
            Path d = runA.resolve("round-" + r);
            for (String f : List.of("generations.jsonl", "scores.jsonl", "pairs.jsonl", "trained.json",
                    "eval-samples.jsonl", "round.json", "train.log", "train/config.yaml", "train/metrics.jsonl")) {
                assertThat(d.resolve(f)).as(f).isRegularFile();
            }
            assertThat(jsonl(d.resolve("generations.jsonl"))).hasSize(16).allSatisfy(g -> {
                assertThat(g.get("tokens").asInt()).isBetween(1, 6);
                assertThat(g.has("prompt_id") && g.has("completion") && g.has("eos")).isTrue();
            });
            assertThat(jsonl(d.resolve("scores.jsonl"))).hasSize(16);
            ObjectNode row = report.get(r);
            // pairs.jsonl is a preference file train reads, one row per kept pair
            int pairs = PreferenceReader.read(d.resolve("pairs.jsonl"), DataOptions.defaults(), null).pairs().size();
            assertThat(row.get("pairs").asInt()).isEqualTo(pairs).isPositive();
            assertThat(row.get("pairs").asInt() + row.get("pair_ties").asInt() + row.get("below_margin").asInt()
                    + row.get("too_few_scored").asInt()).isEqualTo(8);
            assertThat(row.get("policy").asText()).isEqualTo("round-" + r + "/train/checkpoints/step-000002");
            assertThat(row.get("reference").asText()).isEqualTo(r == 1 ? "start" : "round-1/train/checkpoints/step-000002");
            assertThat(row.get("train_steps").asInt()).isEqualTo(2);
            assertThat(row.get("kl").asDouble()).isNotZero();
        }
        for (ObjectNode row : report) {
            for (String f : List.of("reward_mean", "reward_median", "length_mean", "length_p50", "length_histogram",
                    "eos_fraction", "kl", "win_rate", "wins", "win_ties", "losses", "eval_samples", "seconds")) {
                assertThat(row.has(f)).as("round %s field %s", row.get("round"), f).isTrue();
            }
            assertThat(row.get("eval_samples").asInt()).isEqualTo(8);
            int hist = 0;
            for (JsonNode c : row.get("length_histogram")) {
                hist += c.asInt();
            }
            assertThat(hist).isEqualTo(8);
        }
        ObjectNode zero = report.get(0);
        assertThat(zero.get("kl").asDouble()).isZero(); // the start model against itself
        assertThat(zero.get("win_rate").asDouble()).isEqualTo(0.5); // its own samples: all ties
        assertThat(zero.get("win_ties").asInt()).isEqualTo(8);
        // the report's reward is the mean of the judge's scores in eval-samples.jsonl
        List<ObjectNode> samples = jsonl(runA.resolve("round-2/eval-samples.jsonl"));
        double mean = samples.stream().mapToDouble(s -> s.get("score").asDouble()).average().orElseThrow();
        assertThat(report.get(2).get("reward_mean").asDouble()).isCloseTo(mean, within(1e-12));
        double kl = samples.stream().mapToDouble(s -> s.get("logp").asDouble() - s.get("ref_logp").asDouble())
                .average().orElseThrow();
        assertThat(report.get(2).get("kl").asDouble()).isCloseTo(kl, within(1e-12));
        assertThat(Files.readString(runA.resolve("config.yaml"))).contains("reference: \"refresh\"");
    }

    @Test
    void withoutOptionsItIsTheSentimentDemoWithItsOwnEpochDefault() {
        CommandLine root = Main.commandLine();
        root.parseArgs("iterate");
        IterateCommand it = root.getSubcommands().get("iterate").getCommand();
        io.dpo4j.iterate.IterateConfig cfg = it.toConfig();
        assertThat(cfg.prompts().toString()).endsWith("artifacts/datasets/imdb-pref/train.jsonl");
        assertThat(cfg.evalPrompts().toString()).endsWith("artifacts/datasets/imdb-pref/eval.jsonl");
        assertThat(cfg.judgeSpecs()).singleElement().asString().startsWith("onnx:").endsWith("artifacts/judges/sentiment");
        assertThat(cfg.rounds()).isEqualTo(3);
        assertThat(cfg.promptsPerRound()).isEqualTo(256);
        assertThat(it.train.epochs).isEqualTo(1); // iterate's default; train's stays 3
        assertThat(cfg.lengthTarget()).isNull();
        root.parseArgs("iterate", "--length-target", "12", "--length-lambda", "0.01", "--length-band", "0.25");
        io.dpo4j.iterate.IterateConfig withTarget = ((IterateCommand) root.getSubcommands().get("iterate")
                .getCommand()).toConfig();
        assertThat(withTarget.lengthTarget()).isEqualTo(12.0);
        assertThat(withTarget.lengthBand()).isEqualTo(0.25);
        CommandLine again = Main.commandLine();
        again.parseArgs("train");
        assertThat(((TrainCommand) again.getSubcommands().get("train").getCommand()).options.epochs).isEqualTo(3);
    }

    @Test
    void refreshGivesZEqualsZeroAtStepOneOfEveryRound() throws Exception {
        for (int r = 1; r <= 2; r++) {
            JsonNode first = jsonl(runA.resolve("round-" + r + "/train/metrics.jsonl")).get(0);
            assertThat(first.get("step").asInt()).isEqualTo(1);
            assertThat(first.get("rewards/margins").asDouble()).as("round %d", r).isEqualTo(0.0);
            assertThat(first.get("rewards/chosen").asDouble()).isEqualTo(0.0);
            assertThat(first.get("loss").asDouble()).isCloseTo(Math.log(2), within(1e-6));
        }
        assertThat(Files.readString(runA.resolve("round-2/train/config.yaml"))) // the train options passed on
                .contains("lr: 0.01").contains("beta: 0.15").contains("max-steps: 2").contains("batch-size: 4")
                .contains("epochs: 1").contains("seed: 2").contains("eval-fraction: 0.0")
                .contains("data: \"" + runA.resolve("round-2/pairs.jsonl"))
                .contains("reference-from: \"" + runA.resolve("round-1/train/checkpoints/step-000002"))
                .contains("init-from: \"" + runA.resolve("round-1/train/checkpoints/step-000002"));
    }

    @Test
    void aRoundsTrainingReplaysBitForBitFromItsConfig() throws Exception {
        Path replay = tmp.resolve("replay");
        assertThat(run(List.of("train", "--config", runA.resolve("round-2/train/config.yaml").toString(), "--output",
                replay.toString()))).as(lastErr).isZero();
        Path ckpt = Path.of("checkpoints", "step-000002", "checkpoint");
        assertThat(Files.readAllBytes(replay.resolve(ckpt)))
                .isEqualTo(Files.readAllBytes(runA.resolve("round-2/train").resolve(ckpt)));
    }

    @Test
    void aFinishedRunRerunsAsANoOpAndOtherOptionsAreRefused() throws Exception {
        byte[] before = Files.readAllBytes(runA.resolve("report.jsonl"));
        assertThat(run(args(runA))).as(lastErr).isZero();
        assertThat(lastErr).contains("rounds 0..2 complete in " + runA + "; nothing to run")
                .doesNotContain("round 1:");
        assertThat(Files.readAllBytes(runA.resolve("report.jsonl"))).isEqualTo(before);
        // the run's config.yaml (the judge spec as a YAML list) is the same run: also a no-op
        assertThat(Files.readString(runA.resolve("config.yaml"))).contains("judge:\n- ");
        assertThat(run(List.of("iterate", "--config", runA.resolve("config.yaml").toString()))).as(lastErr).isZero();
        assertThat(lastErr).contains("nothing to run");
        Path listForScalar = Files.writeString(tmp.resolve("bad.yaml"), "lr: [0.1, 0.2]\n");
        assertThat(run(List.of("iterate", "--config", listForScalar.toString()))).isEqualTo(2);
        assertThat(lastErr).contains("field 'lr': expected a single value (a list only for a repeatable option)");
        List<String> other = args(runA);
        other.set(other.indexOf("0.15"), "0.2"); // --beta
        assertThat(run(other)).isEqualTo(2);
        assertThat(lastErr).startsWith("error: --output " + runA + " holds a run started with other options: "
                + "--beta '0.15' (now '0.2'); rerun with the original options");
    }

    /**
     * A child JVM runs the same options into another directory and is killed with SIGKILL once its round-1 training
     * has begun; rerunning here continues it to exactly the uninterrupted run's pairs, rewards, lengths, KL and win
     * rates (only the timings differ).
     */
    @Test
    void aRunKilledMidRoundContinuesToTheSameNumbers() throws Exception {
        Path b = tmp.resolve("b");
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args(b));
        Process p = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path trigger = b.resolve("round-1/train/metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!Files.exists(trigger) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        p.destroyForcibly(); // SIGKILL
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(b.resolve("round-2/round.json")).as(Files.readString(tmp.resolve("child.log")))
                .doesNotExist(); // it was cut short
        assertThat(b.resolve("round-1/generations.jsonl")).exists();
        assertThat(run(args(b))).as(lastErr).isZero();
        assertThat(lastErr).contains("rounds 0..0 complete").contains("continuing at round 1")
                .contains("round 1: reusing 16 completions").contains("round 1: reusing the scores");
        List<ObjectNode> ra = jsonl(runA.resolve("report.jsonl"));
        List<ObjectNode> rb = jsonl(b.resolve("report.jsonl"));
        assertThat(withoutTimings(rb)).isEqualTo(withoutTimings(ra));
        assertThat(Files.readAllBytes(b.resolve("round-2/pairs.jsonl")))
                .isEqualTo(Files.readAllBytes(runA.resolve("round-2/pairs.jsonl")));
        try (Stream<Path> s = Files.walk(b)) {
            assertThat(s.map(Path::toString).filter(n -> n.matches(".*\\.tmp-\\d+$"))).isEmpty();
        }
    }

    private static List<ObjectNode> withoutTimings(List<ObjectNode> rows) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode r : rows) {
            ObjectNode c = r.deepCopy();
            for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
                if (it.next().startsWith("seconds")) {
                    it.remove();
                }
            }
            out.add(c);
        }
        return out;
    }
}
