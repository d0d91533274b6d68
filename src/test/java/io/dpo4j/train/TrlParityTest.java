package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.data.Batch;
import io.dpo4j.data.Collator;
import io.dpo4j.data.PreferencePair;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.dpo.DpoMetrics;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.dpo.LossVariant;
import io.dpo4j.dpo.PreferenceLoss;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.util.Files2;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * dpo4j against TRL's DPOTrainer (trl 0.12.2, {@code tools/parity/trl_parity.py}) on the same weights and token ids: for
 * every loss variant and modifier TRL has (sigmoid, cDPO, robust, hinge, IPO, RPO, weight decay with HF's groups; SimPO
 * through TRL's CPOTrainer), five optimizer steps from policy == reference, through dpo4j's own path (reference_model.onnx pass, collation, loss
 * inputs, training graph, TRL-named metrics, runtime weight decay, AdamW graph).
 *
 * <p>Targets (issue: parity with TRL): per-sequence log-probs ≤ 1e-5 relative; per-step loss, {@code logps/*} ≤ 1e-4
 * relative; {@code rewards/*} ≤ 1e-4 relative to the batch's mean |reward| (they are cancelling differences of
 * float32 sums; at step 1 they must be exactly 0) and {@code logits/*} ≤ 1e-4 relative to the mean |logit|; accuracies exactly; sampled parameters
 * after five steps ≤ 1e-4 absolute. The worst figures per model are printed.
 *
 * <p>The {@code -lora} sets are compared with TRL given {@code peft_config} (PEFT LoRA, reference = the policy with the
 * adapters disabled) from the exported starting adapters; the sampled parameters are the adapters.
 */
class TrlParityTest {
    private static final double LOGPS_REL = 1e-5;
    private static final double METRIC_REL = 1e-4;
    private static final double PARAM_ABS = 1e-4;
    private static final List<String> METRICS = List.of("rewards/chosen", "rewards/rejected", "rewards/margins",
            "logps/chosen", "logps/rejected", "logits/chosen", "logits/rejected");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama", "tiny-gpt2-lora", "tiny-llama-lora"})
    void everyCaseMatchesTrl(String model) throws Exception {
        JsonNode golden = Files2.JSON.readTree(Path.of("src/test/resources/golden/trl", model + ".json").toFile());
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts", model));
        Map<String, TokenizedPair> pairs = pairs(golden.get("pairs"));
        Map<String, Double> worst = new TreeMap<>();
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-trl-parity")) {
            Map<String, float[]> ref = reference(env, art, pairs);
            for (JsonNode c : golden.get("cases")) {
                runCase(env, art, c, pairs, ref, worst);
            }
        }
        System.out.println("TRL parity " + model + " worst differences: " + worst);
        assertThat(worst).containsKeys("loss", "logps (per sequence)", "params (abs)");
    }

    private void runCase(OrtEnvironment env, ArtifactSet art, JsonNode c, Map<String, TokenizedPair> pairs,
                         Map<String, float[]> ref, Map<String, Double> worst) {
        JsonNode cfg = c.get("config");
        String name = c.get("name").asText();
        LossConfig loss = new LossConfig(LossVariant.parse(cfg.get("loss_type").asText()), cfg.get("beta").asDouble(),
                cfg.path("label_smoothing").asDouble(0), 0, cfg.path("simpo_gamma").asDouble(0.5),
                cfg.path("rpo_alpha").asDouble(0), false);
        double lr = cfg.get("learning_rate").asDouble();
        double wd = cfg.get("weight_decay").asDouble();
        List<String> decayGroup = art.manifest().optimizer().decayParameters();
        if (wd > 0) {
            List<String> trl = new ArrayList<>();
            c.get("decay_parameters").forEach(n -> trl.add(n.asText()));
            assertThat(decayGroup).as("%s: HF Trainer's decay group (TRL) vs manifest", name)
                    .containsExactlyInAnyOrderElementsOf(trl);
        }
        WeightDecay decay = new WeightDecay(wd, decayGroup);
        boolean perToken = cfg.get("logps_are_per_token_means").asBoolean();
        int pad = art.manifest().specialTokens().pad();
        try (TrainingSession s = TrainingSession.open(env, SessionConfig.cpuDefaults(), art.file("checkpoint"),
                art.file("training_model.onnx"), art.file("eval_model.onnx"), art.file("optimizer_model.onnx"))) {
            s.setLearningRate((float) lr);
            int k = 0;
            for (JsonNode step : c.get("steps")) {
                String where = name + " step " + (++k);
                List<TokenizedPair> chunk = new ArrayList<>();
                step.get("pairs").forEach(id -> chunk.add(pairs.get(id.asText())));
                int b = chunk.size();
                float[] rc = new float[b], rr = new float[b]; // (B)
                for (int i = 0; i < b; i++) {
                    float[] r = ref.get(chunk.get(i).source().id());
                    rc[i] = r[0];
                    rr[i] = r[1];
                }
                Batch batch = Collator.collate(chunk, pad);
                LossInputs in = LossInputs.of(loss, rc, rr, Collator.prefProbs(chunk), Collator.weights(chunk), 1f);
                List<Tensor> feeds = GraphFeeds.forTraining(s.trainingInputNames(), batch, in);
                StepOutputs out;
                try {
                    out = StepOutputs.run(s, feeds, b, true);
                } finally {
                    feeds.forEach(Tensor::close);
                }
                compareStep(where, step, loss, art, out, in, perToken, cfg.get("logits_comparable").asBoolean(),
                        worst);
                decay.apply(s, lr);
                s.optimizerStep();
                s.lazyResetGrad();
            }
            compareParams(name, s, c.get("params"), worst);
        }
    }

    private static void compareStep(String where, JsonNode step, LossConfig loss, ArtifactSet art, StepOutputs out,
                                    LossInputs in, boolean perToken, boolean logitsComparable,
                                    Map<String, Double> worst) {
        float[] logps = out.logps().clone(); // (N)
        for (int i = 0; perToken && i < logps.length; i++) {
            logps[i] /= out.tokenCounts()[i];
        }
        JsonNode want = step.get("policy_logps");
        for (int i = 0; i < logps.length; i++) {
            check(where + " logps[" + i + "]", "logps (per sequence)", logps[i], want.get(i).asDouble(), LOGPS_REL,
                    worst);
        }
        check(where + " loss", "loss", out.loss(), step.get("loss").asDouble(), METRIC_REL, worst);
        DpoMetrics m = new DpoMetrics(loss, art.manifest().vocabSize());
        m.add(out.loss(), out.logps(), in.refLogps(), out.tokenCounts(), out.logitsSum());
        Map<String, Double> found = m.summary();
        JsonNode trl = step.get("metrics");
        double rewardScale = meanAbsReward(loss, out, in);
        for (String k : METRICS) {
            if (k.startsWith("rewards/")) {
                // Rewards are differences of float32 log-prob sums (policy − reference, chosen − rejected) and their
                // means cancel; their error is measured relative to the mean |reward| of the pairs they come from,
                // as logits_sum is measured relative to sum|logits| in the goldens.
                double err = Math.abs(found.get(k) - trl.get(k).asDouble()) / Math.max(rewardScale, Double.MIN_VALUE);
                String metric = k + " (rel. to mean |reward|)";
                worst.merge(metric, rewardScale == 0 ? Math.abs(found.get(k) - trl.get(k).asDouble()) : err, Math::max);
                assertThat(rewardScale == 0 ? Math.abs(found.get(k) - trl.get(k).asDouble()) : err)
                        .as("%s %s: found %s, TRL %s, mean |reward| %s", where, k, found.get(k), trl.get(k).asDouble(),
                                rewardScale).isLessThanOrEqualTo(METRIC_REL);
            } else if (k.startsWith("logits/") && !logitsComparable) {
                continue; // TRL's CPOTrainer (SimPO) averages logits over prompt and padding positions too
            } else if (k.startsWith("logits/")) {
                // Means of logits of both signs cancel too: measured relative to the mean |logit| (TRL side).
                double scale = step.get("logits_abs_mean").get(k.substring("logits/".length())).asDouble();
                double err = Math.abs(found.get(k) - trl.get(k).asDouble()) / scale;
                worst.merge(k + " (rel. to mean |logit|)", err, Math::max);
                assertThat(err).as("%s %s: found %s, TRL %s, mean |logit| %s", where, k, found.get(k),
                        trl.get(k).asDouble(), scale).isLessThanOrEqualTo(METRIC_REL);
            } else {
                check(where + " " + k, k, found.get(k), trl.get(k).asDouble(), METRIC_REL, worst);
            }
        }
        assertThat(found.get("rewards/accuracies")).as(where + " rewards/accuracies")
                .isEqualTo(trl.get("rewards/accuracies").asDouble());
    }

    /** @return mean over pairs of |reward chosen| + |reward rejected| (0 at step 1, where every reward is 0) */
    private static double meanAbsReward(LossConfig loss, StepOutputs out, LossInputs in) {
        int b = out.logps().length / 2;
        double[][] side = new double[2][]; // chosen, rejected rewards  (2, B)
        for (int k = 0; k < 2; k++) {
            double[] pol = new double[b], ref = new double[b], len = new double[b]; // (B)
            for (int i = 0; i < b; i++) {
                pol[i] = out.logps()[k * b + i];
                ref[i] = in.refLogps()[k * b + i];
                len[i] = out.tokenCounts()[k * b + i];
            }
            side[k] = PreferenceLoss.rewards(loss, pol, ref, len);
        }
        double sum = 0;
        for (int i = 0; i < b; i++) {
            sum += Math.abs(side[0][i]) + Math.abs(side[1][i]);
        }
        return sum / b;
    }

    private static void check(String what, String metric, double found, double expected, double tol,
                              Map<String, Double> worst) {
        double err = expected == 0 ? Math.abs(found) : Math.abs(found - expected) / Math.abs(expected);
        worst.merge(metric, err, Math::max);
        assertThat(err).as("%s: found %s, TRL %s (relative difference)", what, found, expected).isLessThanOrEqualTo(tol);
    }

    private static void compareParams(String name, TrainingSession s, JsonNode params, Map<String, Double> worst) {
        for (JsonNode p : params) {
            float[] found = s.parameter(p.get("name").asText());
            for (int j = 0; j < p.get("index").size(); j++) {
                int i = p.get("index").get(j).asInt();
                double expected = p.get("values").get(j).asDouble();
                double err = Math.abs(found[i] - expected);
                worst.merge("params (abs)", err, Math::max);
                assertThat(err).as("%s: %s[%d] after %s steps: found %s, TRL %s", name, p.get("name").asText(), i,
                        "5", found[i], expected).isLessThanOrEqualTo(PARAM_ABS);
            }
        }
    }

    /** Reference log-probs of every pair through reference_model.onnx and the trainer's cache, as a run does. */
    private Map<String, float[]> reference(OrtEnvironment env, ArtifactSet art, Map<String, TokenizedPair> pairs) {
        List<TokenizedPair> all = new ArrayList<>(pairs.values());
        ReferenceCache cache = ReferenceCache.open(tmp, art.checksum("reference_model.onnx"), "trl-golden", "ids");
        float[][] r;
        try (InferenceSession rs = InferenceSession.open(env, SessionConfig.cpuDefaults(),
                art.file("reference_model.onnx"))) {
            r = ReferencePass.compute(rs, all, 8, art.manifest().specialTokens().pad(), cache, done -> { });
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            out.put(all.get(i).source().id(), new float[] {r[0][i], r[1][i]});
        }
        return out;
    }

    private static Map<String, TokenizedPair> pairs(JsonNode node) {
        Map<String, TokenizedPair> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), new TokenizedPair(
                PreferencePair.of(e.getKey(), "p", "c", "r", "golden/trl"), longs(e.getValue().get("prompt")),
                longs(e.getValue().get("chosen")), longs(e.getValue().get("rejected")))));
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asLong();
        }
        return v;
    }
}
