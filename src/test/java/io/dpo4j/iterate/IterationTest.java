package io.dpo4j.iterate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.judge.Candidate;
import io.dpo4j.judge.FailurePolicy;
import io.dpo4j.judge.Judge;
import io.dpo4j.judge.JudgeException;
import io.dpo4j.train.TrainConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop as a library ({@link Iteration} with {@link RoundTrainer#from}) on the tiny GPT-2 with in-process judges:
 * an interrupted round reuses its generations and scores (the judge is not asked again), a judge that ties
 * everything gives no pairs and no training, and a skipping judge's NaN scores never become pairs.
 */
class IterationTest {
    private static final Path ART = Path.of("artifacts/tiny-gpt2");
    private static final Path PROMPTS = Path.of("artifacts/datasets/imdb-pref/train.jsonl");
    private static final Path EVAL = Path.of("artifacts/datasets/imdb-pref/eval.jsonl");

    @TempDir
    Path tmp;

    /** A judge from a function of the completion, counting the candidates it is asked about. */
    private static final class FnJudge implements Judge {
        final AtomicInteger asked = new AtomicInteger();
        private final ToDoubleFunction<String> fn;

        FnJudge(ToDoubleFunction<String> fn) {
            this.fn = fn;
        }

        @Override
        public double[] score(List<Candidate> cs) throws JudgeException {
            asked.addAndGet(cs.size());
            double[] out = new double[cs.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = fn.applyAsDouble(cs.get(i).completion());
                if (Double.isNaN(out[i])) {
                    throw new JudgeException(i, cs.get(i).prompt(), "cannot score this one");
                }
            }
            return out;
        }

        @Override
        public String name() {
            return "fn";
        }
    }

    private static double eFraction(String s) {
        return (double) s.chars().filter(c -> c == 'e').count() / Math.max(1, s.length());
    }

    private IterateConfig config(Path out, int rounds, FailurePolicy failures) {
        return IterateConfig.builder(ART, PROMPTS, List.of("fn"), out).evalPrompts(EVAL).rounds(rounds)
                .promptsPerRound(6).samplesPerPrompt(3)
                .sampling(new SamplingConfig(5, 1.0, 0, 1.0, 1.0, 1, 0, List.of())).eval(1, 6)
                .judgeFailures(failures).build();
    }

    private static RoundTrainer trainer(Path cache) {
        return RoundTrainer.from(TrainConfig.builder(ART, PROMPTS).maxSteps(2).batchSize(4).learningRate(1e-2)
                .cacheDir(cache).progress(false).build());
    }

    private List<ObjectNode> run(IterateConfig cfg, Judge judge, StringWriter log) {
        return new Iteration(cfg, judge, trainer(tmp.resolve("cache")), Map.of("rounds", String.valueOf(cfg.rounds()),
                "case", cfg.output().getFileName().toString()), new PrintWriter(log, true)).run();
    }

    @Test
    void anInterruptedRoundReusesItsGenerationsAndScoresAndEndsTheSame() throws Exception {
        Path out = tmp.resolve("run");
        FnJudge first = new FnJudge(IterationTest::eFraction);
        List<ObjectNode> rows = run(config(out, 1, FailurePolicy.fail()), first, new StringWriter());
        assertThat(first.asked.get()).isEqualTo(6 + 18 + 6); // round 0 eval, round 1 samples, round 1 eval
        assertThat(rows.get(1).get("trained").asBoolean()).isTrue();
        // as if killed during round 1's evaluation: no marker, a half-written temporary
        Files.delete(out.resolve("round-1/round.json"));
        Files.delete(out.resolve("round-1/eval-samples.jsonl"));
        Files.writeString(out.resolve("round-1/eval-samples.jsonl.tmp-42"), "{\"half\":");
        FnJudge second = new FnJudge(IterationTest::eFraction);
        StringWriter log = new StringWriter();
        List<ObjectNode> again = run(config(out, 1, FailurePolicy.fail()), second, log);
        assertThat(second.asked.get()).isEqualTo(6); // only the evaluation: the round's scores were kept
        assertThat(log.toString()).contains("continuing at round 1").contains("reusing 18 completions")
                .contains("reusing the scores").contains("reusing the finished training")
                .contains("removed leftover temporary");
        assertThat(again.get(1).get("reward_mean")).isEqualTo(rows.get(1).get("reward_mean"));
        assertThat(again.get(1).get("kl")).isEqualTo(rows.get(1).get("kl"));
        assertThat(out.resolve("round-1/eval-samples.jsonl.tmp-42")).doesNotExist();
    }

    @Test
    void aJudgeThatTiesEverythingGivesNoPairsAndTheStartModelStays() throws Exception {
        Path out = tmp.resolve("ties");
        IterateConfig cfg = IterateConfig.builder(ART, PROMPTS, List.of("fn"), out).evalPrompts(EVAL).rounds(1)
                .promptsPerRound(6).samplesPerPrompt(3).sampling(new SamplingConfig(5, 1.0, 0, 1.0, 1.0, 1, 0,
                        List.of())).eval(1, 6).lengthBand(4.0, 0.25).build();
        List<ObjectNode> rows = run(cfg, new FnJudge(s -> 1.0), new StringWriter());
        // the length band around --length-target 4 (3..5 tokens) from the evaluation's own samples
        List<ObjectNode> samples = Jsonl.read(out.resolve("round-1/eval-samples.jsonl"));
        long inBand = samples.stream().filter(x -> Math.abs(x.get("tokens").asInt() - 4) <= 1).count();
        assertThat(rows.get(1).get("length_in_band").asDouble()).isEqualTo((double) inBand / samples.size());
        assertThat(rows.get(1).get("length_target").asDouble()).isEqualTo(4.0);
        ObjectNode r1 = rows.get(1);
        assertThat(r1.get("pairs").asInt()).isZero();
        assertThat(r1.get("pair_ties").asInt()).isEqualTo(6);
        assertThat(r1.get("trained").asBoolean()).isFalse();
        assertThat(r1.get("policy").asText()).isEqualTo("start");
        assertThat(r1.get("kl").asDouble()).isZero();
        assertThat(r1.get("win_rate").asDouble()).isEqualTo(0.5);
        assertThat(Files.readString(out.resolve("round-1/pairs.jsonl"))).isEmpty();
        assertThat(out.resolve("round-1/train")).doesNotExist();
    }

    @Test
    void skippedCandidatesAreNullInTheFilesAndNeverPaired() throws Exception {
        Path out = tmp.resolve("skip");
        // NaN (the judge fails) for every completion containing an 'a'
        FnJudge judge = new FnJudge(s -> s.contains("a") ? Double.NaN : eFraction(s));
        List<ObjectNode> rows = run(config(out, 1, FailurePolicy.parse("skip")), judge, new StringWriter());
        List<ObjectNode> gens = Jsonl.read(out.resolve("round-1/generations.jsonl"));
        List<ObjectNode> scores = Jsonl.read(out.resolve("round-1/scores.jsonl"));
        int skipped = 0;
        for (int i = 0; i < gens.size(); i++) {
            boolean hasA = gens.get(i).get("completion").asText().contains("a");
            assertThat(scores.get(i).get("score").isNull()).isEqualTo(hasA);
            skipped += hasA ? 1 : 0;
        }
        assertThat(skipped).isPositive();
        assertThat(rows.get(1).get("unscored").asInt()).isEqualTo(skipped);
        for (ObjectNode p : Jsonl.read(out.resolve("round-1/pairs.jsonl"))) {
            assertThat(p.get("chosen").asText()).doesNotContain("a");
            assertThat(p.get("rejected").asText()).doesNotContain("a");
        }
        assertThatThrownBy(() -> run(config(tmp.resolve("fail"), 1, FailurePolicy.fail()),
                new FnJudge(s -> s.contains("a") ? Double.NaN : 0), new StringWriter()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot score this one")
                .hasMessageContaining("--judge-failures fail");
    }

    @Test
    void invalidSettingsNameTheOption() {
        assertThatThrownBy(() -> IterateConfig.builder(ART, PROMPTS, List.of("fn"), tmp).samplesPerPrompt(1).build())
                .hasMessage("--samples-per-prompt: expected >= 2 (a pair needs two samples), found 1");
        assertThatThrownBy(() -> IterateConfig.builder(ART, PROMPTS, List.of("fn"), tmp)
                .sampling(SamplingConfig.greedy(8)).build()).hasMessageStartingWith("--temperature: expected > 0");
        assertThatThrownBy(() -> IterateConfig.builder(ART, PROMPTS, List.of("fn"), tmp)
                .sampling(new SamplingConfig(100, 1, 0, 0)).build())
                .hasMessageStartingWith("--max-new-tokens: expected at most --max-length − --max-prompt-length = 64");
        assertThatThrownBy(() -> IterateConfig.builder(ART, PROMPTS, List.of(), tmp).build())
                .hasMessage("--judge: expected at least one judge spec, found none");
        Path inside = tmp.resolve("run/prompts.jsonl");
        assertThatThrownBy(() -> new Iteration(IterateConfig.builder(ART, inside, List.of("fn"), tmp.resolve("run"))
                .evalPrompts(EVAL).build(), new FnJudge(s -> 0), trainer(tmp), Map.of(), Iteration.quiet()).run())
                .hasMessage("--output " + tmp.resolve("run") + " and --prompts " + inside + ": expected the run "
                        + "directory apart from its inputs, found one inside the other");
        assertThat(tmp.resolve("run")).doesNotExist();
        assertThatThrownBy(() -> ReferenceMode.parse("latest"))
                .hasMessage("--reference: unknown value 'latest'; valid: fixed, refresh");
    }
}
