package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening, validation and error paths of the ONNX judge (its numbers are checked by the parity test). */
class OnnxClassifierJudgeTest {
    static final Path REWARD = Path.of("src/test/resources/judge/hf-gpt2-reward");
    static final Path BERT = Path.of("src/test/resources/judge/hf-bert-classifier");

    @TempDir
    Path tmp;

    /** A copy of {@code src} whose judge.json is edited by {@code edit}. */
    private Path copy(Path src, Consumer<ObjectNode> edit) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "judge");
        for (String f : List.of("model.onnx", "tokenizer.json", "judge.json")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        ObjectNode cfg = (ObjectNode) Files2.JSON.readTree(dir.resolve("judge.json").toFile());
        edit.accept(cfg);
        Files.writeString(dir.resolve("judge.json"), cfg.toString());
        return dir;
    }

    private IllegalArgumentException openFails(Path dir) {
        return assertThrows(IllegalArgumentException.class,
                () -> OnnxClassifierJudge.open(dir, SessionConfig.cpuDefaults()).close());
    }

    @Test
    void scoreKindsComputeMarginLogProbAndLogit() {
        float[] z = {1f, 2f, 0.5f, /* row 2 */ 3f, -1f, 0f};
        double lse02 = Math.log(Math.exp(1) + Math.exp(0.5));
        assertEquals(2 - lse02, JudgeConfig.ScoreKind.LOGIT_MARGIN.of(z, 0, 3, 1), 1e-12);
        double lse = Math.log(Math.exp(3) + Math.exp(-1) + Math.exp(0));
        assertEquals(3 - lse, JudgeConfig.ScoreKind.LOG_PROB.of(z, 3, 3, 0), 1e-12);
        assertEquals(2.0 - 1.0, JudgeConfig.ScoreKind.LOGIT_MARGIN.of(new float[] {1f, 2f}, 0, 2, 1), 1e-12);
        assertEquals(3.0, JudgeConfig.ScoreKind.LOGIT.of(z, 3, 1, -1), 0.0);
    }

    @Test
    void truncatesFromTheConfiguredEndBetweenPrefixAndSuffix() {
        try (OnnxClassifierJudge j = OnnxClassifierJudge.open(BERT, SessionConfig.cpuDefaults())) {
            String words = "great good bad ".repeat(20);
            long[] ids = j.encode(new Candidate("", words + "worst", 1));
            assertEquals(24, ids.length);
            assertEquals(2, ids[0]);   // [CLS]
            assertEquals(3, ids[23]);  // [SEP]
            assertEquals(j.encode(new Candidate("", "worst", 1))[1], ids[22]); // keep_end kept the last word
        }
        try (OnnxClassifierJudge j = OnnxClassifierJudge.open(REWARD, SessionConfig.cpuDefaults())) {
            long[] ids = j.encode(new Candidate("ignored prompt", "great " + "bad ".repeat(30), 1));
            assertEquals(16, ids.length);
            assertEquals(j.encode(new Candidate("", "great", 1))[0], ids[0]); // keep_start kept the first word
        }
    }

    @Test
    void anEmptyInputFailsNamingTheCandidateNeverZero() throws Exception {
        try (OnnxClassifierJudge j = OnnxClassifierJudge.open(REWARD, SessionConfig.cpuDefaults())) {
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("a", "good", 1), new Candidate("the empty one", "", 0))));
            assertEquals(1, e.index());
            assertTrue(e.getMessage().contains("the empty one") && e.getMessage().contains("no ids"),
                    e.getMessage());
            double[] s = FailurePolicy.parse("skip").scoreAll(j,
                    List.of(new Candidate("a", "good", 1), new Candidate("b", "", 0)), w -> { });
            assertTrue(Double.isFinite(s[0]) && Double.isNaN(s[1]), java.util.Arrays.toString(s));
        }
    }

    @Test
    void judgeJsonIsValidatedStrictlyNamingFileAndField() throws IOException {
        record Case(String field, Consumer<ObjectNode> edit, String expect) {}
        List<Case> cases = List.of(
                new Case("unknown", c -> c.put("temperature", 1), "temperature: unknown field"),
                new Case("format", c -> c.put("format", "v2"), "format: expected \"dpo4j-judge/1\""),
                new Case("missing", c -> c.remove("max_length"), "max_length: required field is missing"),
                new Case("type", c -> c.put("max_length", "16"), "max_length: expected an integer"),
                new Case("text", c -> c.put("text", "prompt"), "text: expected one of [completion, prompt+completion]"),
                new Case("score", c -> c.put("score", "prob"), "score: expected one of [logit_margin, log_prob, logit]"),
                new Case("trunc", c -> c.put("truncation", "middle"), "truncation: expected one of [keep_start, keep_end]"),
                new Case("pos", c -> c.put("positive_index", 0), "positive_index: expected no positive_index"),
                new Case("room", c -> c.put("max_length", 1).putArray("prefix_ids").add(5), "max_length: expected more than"),
                new Case("escape", c -> c.put("model", "../model.onnx"), "judge.json model '../model.onnx'"),
                new Case("absolute", c -> c.put("tokenizer", "/etc/passwd"), "judge.json tokenizer '/etc/passwd'"),
                new Case("input", c -> ((ObjectNode) c.get("inputs")).put("attention_mask", "mask"),
                        "inputs: expected names among the model's inputs"),
                new Case("unfed", c -> ((ObjectNode) c.get("inputs")).remove("attention_mask"),
                        "the model input 'attention_mask' is not fed"),
                new Case("output", c -> c.put("output", "scores"), "output: expected one of the model's outputs"),
                new Case("ids", c -> c.putArray("suffix_ids").add(-1), "suffix_ids: expected token ids >= 0"));
        for (Case k : cases) {
            Path dir = copy(REWARD, k.edit());
            IllegalArgumentException e = openFails(dir);
            assertTrue(e.getMessage().contains(k.expect()), k.field() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("judge.json"), k.field() + ": " + e.getMessage());
        }
    }

    @Test
    void scoreKindThatDoesNotFitTheOutputFailsTheCall() throws IOException {
        Path dir = copy(BERT, c -> c.put("score", "logit").remove("positive_index"));
        try (OnnxClassifierJudge j = OnnxClassifierJudge.open(dir, SessionConfig.cpuDefaults())) {
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("p", "good", 1))));
            assertTrue(e.getMessage().contains("expects one value per row") && e.getMessage().contains("[1, 3]"),
                    e.getMessage());
        }
        Path dir2 = copy(REWARD, c -> c.put("score", "logit_margin").put("positive_index", 0));
        try (OnnxClassifierJudge j = OnnxClassifierJudge.open(dir2, SessionConfig.cpuDefaults())) {
            JudgeException e = assertThrows(JudgeException.class,
                    () -> j.score(List.of(new Candidate("p", "good", 1))));
            assertTrue(e.getMessage().contains("at least 2 labels"), e.getMessage());
        }
    }

    @Test
    void aMissingDirectoryOrFileIsNamed() throws IOException {
        IllegalArgumentException e = openFails(tmp.resolve("nope"));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("judge directory"), e.getMessage());
        Path dir = copy(REWARD, c -> { });
        Files.delete(dir.resolve("tokenizer.json"));
        IllegalArgumentException missing = openFails(dir);
        assertTrue(missing.getMessage().contains("tokenizer 'tokenizer.json'")
                && missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void batchSizeDoesNotChangeScores() throws Exception {
        List<Candidate> cs = List.of(new Candidate("p", "good fun", 1), new Candidate("p", "the worst movie", 1),
                new Candidate("p", "a", 1), new Candidate("p", "never watch it , really bad", 1));
        double[] one;
        try (OnnxClassifierJudge j = OnnxClassifierJudge.open(REWARD, SessionConfig.cpuDefaults())) {
            one = j.score(cs);
        }
        Path dir = copy(REWARD, c -> c.put("batch_size", 1));
        try (OnnxClassifierJudge j = OnnxClassifierJudge.open(dir, SessionConfig.cpuDefaults())) {
            assertArrayEquals(one, j.score(cs), 1e-5);
        }
    }
}
