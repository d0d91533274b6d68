package io.dpo4j.dpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TRL-named metrics from graph-shaped outputs against the float64 reference's rewards (dpo_vectors.json), split over
 * two micro-batches to check the accumulation; and the degenerate first step, policy = reference up to float32
 * rounding, where TRL reports exact-zero rewards and accuracy 0.
 */
class DpoMetricsTest {
    @ParameterizedTest
    @ValueSource(strings = {"sigmoid", "ipo", "simpo", "sigmoid-ilr", "robust-ilr", "hinge-ilr"})
    void summaryMatchesReferenceRewards(String caseName) throws Exception {
        JsonNode c = null;
        for (JsonNode x : PreferenceLossTest.vectors().get("cases")) {
            if (x.get("name").asText().equals(caseName)) {
                c = x;
            }
        }
        LossConfig cfg = PreferenceLossTest.config(c, LossVariant.parse(c.get("variant").asText()));
        double[] pc = PreferenceLossTest.arr(c.get("policy_logps_chosen"));
        double[] pr = PreferenceLossTest.arr(c.get("policy_logps_rejected"));
        double[] rc = PreferenceLossTest.arr(c.get("reference_logps_chosen"));
        double[] rr = PreferenceLossTest.arr(c.get("reference_logps_rejected"));
        double[] lc = PreferenceLossTest.arr(c.get("token_counts_chosen"));
        double[] lr = PreferenceLossTest.arr(c.get("token_counts_rejected"));
        int vocab = 10;
        DpoMetrics m = new DpoMetrics(cfg, vocab);
        // micro-batch 1 = pair 0, micro-batch 2 = pairs 1 and 2; logits_sum chosen so that the mean logit is known.
        m.add(1.0, f(pc[0], pr[0]), f(rc[0], rr[0]), f(lc[0], lr[0]), f(lc[0] * vocab * 0.5, lr[0] * vocab * -1.0));
        m.add(3.0, f(pc[1], pc[2], pr[1], pr[2]), f(rc[1], rc[2], rr[1], rr[2]), f(lc[1], lc[2], lr[1], lr[2]),
                f(lc[1] * vocab * 0.5, lc[2] * vocab * 0.5, lr[1] * vocab * -1.0, lr[2] * vocab * -1.0));
        Map<String, Double> s = m.summary();

        double[] wc = PreferenceLossTest.arr(c.get("rewards_chosen"));
        double[] wr = PreferenceLossTest.arr(c.get("rewards_rejected"));
        double acc = 0, margin = 0;
        for (int i = 0; i < 3; i++) {
            acc += wc[i] > wr[i] ? 1 : 0;
            margin += wc[i] - wr[i];
        }
        double tol = 1e-5; // inputs pass through float32, as the graph's outputs do
        assertThat(s).containsKeys("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
                "rewards/margins", "logps/chosen", "logps/rejected", "logits/chosen", "logits/rejected");
        assertThat(s.get("loss")).isEqualTo(2.0);
        assertThat(s.get("rewards/chosen")).isCloseTo((wc[0] + wc[1] + wc[2]) / 3, within(tol));
        assertThat(s.get("rewards/rejected")).isCloseTo((wr[0] + wr[1] + wr[2]) / 3, within(tol));
        assertThat(s.get("rewards/accuracies")).isEqualTo(acc / 3);
        assertThat(s.get("rewards/margins")).isCloseTo(margin / 3, within(tol));
        double[] lpc = PreferenceLossTest.arr(c.get("logged_logps_chosen")); // per-token means for IPO / SimPO (TRL)
        double[] lpr = PreferenceLossTest.arr(c.get("logged_logps_rejected"));
        assertThat(s.get("logps/chosen")).isCloseTo((lpc[0] + lpc[1] + lpc[2]) / 3, within(tol));
        assertThat(s.get("logps/rejected")).isCloseTo((lpr[0] + lpr[1] + lpr[2]) / 3, within(tol));
        assertThat(s.get("logits/chosen")).isCloseTo(0.5, within(1e-6));
        assertThat(s.get("logits/rejected")).isCloseTo(-1.0, within(1e-6));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid", "ipo", "hinge"})
    void policyEqualToReferenceUpToRoundingIsATie(String variant) {
        LossConfig cfg = LossConfig.defaults().withVariant(LossVariant.parse(variant));
        DpoMetrics m = new DpoMetrics(cfg, 10);
        // The same float32 sums, batched differently: the reference pass's values differ by 1 ulp (measured on the
        // tiny models: ReduceSum over differently padded batches), which must not count as a preference.
        float[] policy = {-109.174194f, -66.45834f, -25.12865f, -91.9008f};
        float[] ref = {Math.nextUp(-109.174194f), -66.45834f, -25.12865f, Math.nextDown(-91.9008f)};
        m.add(0.6931f, policy, ref, new float[] {12, 7, 3, 9}, new float[4]);
        Map<String, Double> s = m.summary();
        assertThat(s.get("rewards/chosen")).isEqualTo(0.0);
        assertThat(s.get("rewards/rejected")).isEqualTo(0.0);
        assertThat(s.get("rewards/margins")).isEqualTo(0.0);
        assertThat(s.get("rewards/accuracies")).isEqualTo(0.0);
    }

    @org.junit.jupiter.api.Test
    void aRealDifferenceBeyondRoundingIsNotATie() {
        DpoMetrics m = new DpoMetrics(LossConfig.defaults(), 10);
        float[] policy = {-100.0f, -100.0f};
        float[] ref = {-100.001f, -100.0f}; // 1e-3 apart: ~131 ulps at 100, far above 2·√12 ulps
        m.add(0.69f, policy, ref, new float[] {12, 12}, new float[2]);
        assertThat(m.summary().get("rewards/accuracies")).isEqualTo(1.0);
        assertThat(m.summary().get("rewards/chosen")).isCloseTo(0.1 * (-100.0 - (double) -100.001f), within(1e-12));
    }

    private static float[] f(double... v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
