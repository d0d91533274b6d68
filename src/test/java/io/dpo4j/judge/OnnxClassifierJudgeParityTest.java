package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java ONNX judge against independent references: the sentiment judge against its trained PyTorch module in
 * float64 and Python onnxruntime (golden written by tools/judge/train_sentiment.py), and two random-weight Hugging
 * Face models (a BERT classifier and a GPT-2 reward model) against transformers in float64, each candidate run alone
 * without padding (golden written by tools/judge/make_test_judges.py). Java scores the candidates batched and
 * right-padded; ids and scores must match (scores within 1e-5).
 */
class OnnxClassifierJudgeParityTest {
    static final double TOL = 1e-5;

    @Test
    void sentimentJudgeEqualsPytorchAndPythonOnnxruntime() throws Exception {
        JsonNode golden = Files2.JSON.readTree(Path.of("src/test/resources/judge/sentiment_golden.json").toFile());
        check(Path.of("artifacts/judges/sentiment"), golden.get("candidates"), true);
    }

    @Test
    void huggingFaceClassifierAndRewardModelEqualTransformers() throws Exception {
        JsonNode golden = Files2.JSON.readTree(Path.of("src/test/resources/judge/hf_golden.json").toFile());
        assertEquals(2, golden.get("judges").size());
        for (JsonNode j : golden.get("judges")) {
            check(Path.of(j.get("judge").asText()), j.get("candidates"), false);
        }
    }

    private static void check(Path dir, JsonNode rows, boolean hasOrt) throws JudgeException, IOException {
        List<Candidate> cands = new ArrayList<>();
        double[] expected = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            cands.add(new Candidate(r.get("prompt").asText(), r.get("completion").asText(), 1));
            expected[i] = r.get("torch_float64_score").asDouble();
        }
        assertTrue(cands.size() >= 7, "golden has too few candidates: " + cands.size());
        try (Judge j = Judges.open(List.of("onnx:" + dir), SessionConfig.cpuDefaults(),
                Judges.DEFAULT_COMMAND_TIMEOUT)) {
            OnnxClassifierJudge judge = (OnnxClassifierJudge) j;
            for (int i = 0; i < cands.size(); i++) {
                long[] ids = Files2.JSON.treeToValue(rows.get(i).get("ids"), long[].class);
                assertArrayEquals(ids, judge.encode(cands.get(i)), dir + " candidate " + i + " ids");
            }
            double[] batched = j.score(cands);
            for (int i = 0; i < cands.size(); i++) {
                assertEquals(expected[i], batched[i], TOL, dir + " candidate " + i + " vs PyTorch float64");
                if (hasOrt) {
                    assertEquals(rows.get(i).get("onnxruntime_score").asDouble(), batched[i], TOL,
                            dir + " candidate " + i + " vs Python onnxruntime");
                }
                double alone = j.score(List.of(cands.get(i)))[0];
                assertEquals(batched[i], alone, TOL, dir + " candidate " + i + " alone vs in a padded batch");
            }
            double spread = java.util.Arrays.stream(batched).max().orElseThrow()
                    - java.util.Arrays.stream(batched).min().orElseThrow();
            assertTrue(spread > 0.1, dir + ": scores barely differ between texts (spread " + spread + ")");
        }
    }
}
