package io.dpo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime against the exported tiny models in artifacts/ (tools/export/export.py, tools/CONTRACT.md): graph names, and
 * values checked analytically (identical chosen/rejected → h = 0 → sigmoid loss ln 2) and across graphs (training
 * log-probs = reference_model log-probs = log-softmax of inference_model logits computed here).
 */
class TinyArtifactsTest {
    private static final List<String> USER_INPUTS = List.of("input_ids", "attention_mask", "completion_mask",
            "ref_logps", "pref_prob", "pair_weight", "loss_mix", "beta", "label_smoothing", "length_alpha",
            "simpo_gamma", "rpo_alpha", "length_target", "length_lambda");
    private static final List<String> OUTPUTS = List.of("loss", "logps", "token_counts", "logits_sum", "pair_losses");
    private static final int T = 6;
    private static final long[] IDS = {5, 17, 300, 42, 4000, 0};
    private static final long[] ATTENTION = {1, 1, 1, 1, 1, 0};
    private static final long[] COMPLETION = {0, 0, 1, 1, 1, 0};

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void identicalPairGivesLn2AndGraphsAgree(String name) {
        Path dir = Path.of("artifacts", name);
        assumeTrue(Files.isRegularFile(dir.resolve("checkpoint")), "needs " + dir + " (tools/export/export.py)");
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-test");
                TrainingSession s = TrainingSession.open(env, SessionConfig.cpuDefaults(), dir.resolve("checkpoint"),
                        dir.resolve("training_model.onnx"), dir.resolve("eval_model.onnx"),
                        dir.resolve("optimizer_model.onnx"))) {
            assertThat(s.trainingInputNames()).isEqualTo(USER_INPUTS);
            assertThat(s.evalInputNames()).isEqualTo(USER_INPUTS);
            assertThat(s.trainingOutputNames()).isEqualTo(OUTPUTS);
            assertThat(s.evalOutputNames()).isEqualTo(OUTPUTS);

            List<Tensor> in = identicalPair();
            List<Tensor> out = s.trainStep(in);
            ToyArtifacts.closeAll(in);
            float loss = out.get(0).floatValue();
            float[] logps = out.get(1).toFloats();
            assertThat(loss).isCloseTo((float) Math.log(2), within(1e-6f));
            assertThat(out.get(1).shape()).containsExactly(2);
            assertThat(logps[0]).isNegative().isCloseTo(logps[1], within(1e-5f));
            assertThat(out.get(2).toFloats()).containsExactly(3f, 3f);
            assertThat(out.get(4).shape()).containsExactly(1);
            float[] logitsSum = out.get(3).toFloats();
            ToyArtifacts.closeAll(out);

            assertThat(referenceLogps(env, dir)).containsExactly(new float[] {logps[0], logps[1]}, within(1e-5f));
            float[] fromLogits = logpsAndLogitsSumFromInferenceLogits(env, dir);
            assertThat(fromLogits[0]).isCloseTo(logps[0], within(1e-4f));
            assertThat(fromLogits[1]).isCloseTo(logitsSum[0], within(1e-3f * Math.max(1f, Math.abs(logitsSum[0]))));
        }
    }

    private static List<Tensor> identicalPair() {
        long[] ids = twice(IDS);
        List<Tensor> t = new ArrayList<>();
        t.add(Tensor.ofLongs(ids, 2, T));                       // input_ids (N, T)
        t.add(Tensor.ofLongs(twice(ATTENTION), 2, T));          // attention_mask (N, T)
        t.add(Tensor.ofLongs(twice(COMPLETION), 2, T));         // completion_mask (N, T)
        t.add(Tensor.ofFloats(new float[2], 2));                // ref_logps (N)
        t.add(Tensor.ofFloats(new float[] {1f}, 1));            // pref_prob (B)
        t.add(Tensor.ofFloats(new float[] {1f}, 1));            // pair_weight (B)
        t.add(Tensor.ofFloats(new float[] {1f, 0f, 0f, 0f, 0f}, 5));  // loss_mix (K)
        t.add(Tensor.scalarFloat(0.1f));                        // beta
        t.add(Tensor.scalarFloat(0f));                          // label_smoothing
        t.add(Tensor.scalarFloat(0f));                          // length_alpha
        t.add(Tensor.scalarFloat(0.5f));                        // simpo_gamma
        t.add(Tensor.scalarFloat(0f));                          // rpo_alpha
        t.add(Tensor.scalarFloat(0f));                          // length_target
        t.add(Tensor.scalarFloat(0f));                          // length_lambda
        return t;
    }

    private static long[] twice(long[] row) {
        long[] out = new long[2 * row.length];
        System.arraycopy(row, 0, out, 0, row.length);
        System.arraycopy(row, 0, out, row.length, row.length);
        return out;
    }

    private static float[] referenceLogps(OrtEnvironment env, Path dir) {
        try (InferenceSession ref = InferenceSession.open(env, SessionConfig.cpuDefaults(),
                dir.resolve("reference_model.onnx"));
                Tensor ids = Tensor.ofLongs(twice(IDS), 2, T);
                Tensor att = Tensor.ofLongs(twice(ATTENTION), 2, T);
                Tensor comp = Tensor.ofLongs(twice(COMPLETION), 2, T)) {
            List<Tensor> out = ref.run(Map.of("input_ids", ids, "attention_mask", att, "completion_mask", comp),
                    List.of("logps"));
            float[] logps = out.get(0).toFloats();
            ToyArtifacts.closeAll(out);
            return logps;
        }
    }

    /** Row 0: [Σ_t mask_t · log_softmax(logits[t-1])[id_t], Σ_t mask_t · Σ_v logits[t-1, v]] in double precision. */
    private static float[] logpsAndLogitsSumFromInferenceLogits(OrtEnvironment env, Path dir) {
        try (InferenceSession inf = InferenceSession.open(env, SessionConfig.cpuDefaults(),
                dir.resolve("inference_model.onnx"));
                Tensor ids = Tensor.ofLongs(IDS, 1, T);
                Tensor att = Tensor.ofLongs(ATTENTION, 1, T)) {
            List<Tensor> out = inf.run(Map.of("input_ids", ids, "attention_mask", att), List.of("logits"));
            long[] shape = out.get(0).shape();
            float[] logits = out.get(0).toFloats();                // (1, T, V)
            ToyArtifacts.closeAll(out);
            assertThat(shape).containsExactly(1, T, 4096);
            int v = (int) shape[2];
            double logp = 0;
            double sum = 0;
            for (int t = 1; t < T; t++) {
                if (COMPLETION[t] == 0) {
                    continue;
                }
                int base = (t - 1) * v;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    max = Math.max(max, logits[base + k]);
                }
                double z = 0;
                for (int k = 0; k < v; k++) {
                    z += Math.exp(logits[base + k] - max);
                    sum += logits[base + k];
                }
                logp += logits[base + (int) IDS[t]] - max - Math.log(z);
            }
            return new float[] {(float) logp, (float) sum};
        }
    }
}
