package io.dpo4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sampler's definitions against transformers' own logits processors (RepetitionPenalty, Temperature, TopK with a
 * tie at the k-th score, TopP) on one fixed 16-token logit row (golden "sampler" in generate.json): the same filtered
 * distribution within 1e-6 and the same 64 tokens from the same SplittableRandom draws.
 */
class SamplerTest {
    private static SamplingConfig settings(JsonNode s) {
        return new SamplingConfig(1, s.get("temperature").asDouble(), s.get("top_k").asInt(),
                s.get("top_p").asDouble(), s.get("repetition_penalty").asDouble(), 1, s.get("seed").asLong(), List.of());
    }

    @Test
    void filteredDistributionAndDrawsMatchTransformers() throws Exception {
        JsonNode g = GenerationGoldensTest.goldens().get("sampler");
        float[] logits = new float[g.get("logits").size()]; // (V)
        for (int v = 0; v < logits.length; v++) {
            logits[v] = (float) g.get("logits").get(v).asDouble();
        }
        long[] context = GenerationGoldensTest.longs(g.get("context"));
        for (JsonNode c : g.get("cases")) {
            SamplingConfig cfg = settings(c.get("settings"));
            float[] scores = logits.clone();
            Sampler.penalize(scores, context, context.length, (float) cfg.repetitionPenalty());
            double[] w = Sampler.weights(scores, cfg); // (V)
            double z = java.util.Arrays.stream(w).sum();
            for (int v = 0; v < logits.length; v++) {
                double expected = c.get("probs").get(v).asDouble();
                assertThat(w[v] > 0).as("%s token %d kept", c.get("settings"), v).isEqualTo(expected > 0);
                assertThat(w[v] / z).as("%s token %d", c.get("settings"), v).isCloseTo(expected, within(1e-6));
            }
            SplittableRandom random = new SplittableRandom(cfg.seed());
            long[] expected = GenerationGoldensTest.longs(c.get("tokens"));
            for (int i = 0; i < expected.length; i++) {
                assertThat(Sampler.next(logits, 0, logits.length, cfg, context, context.length, random))
                        .as("%s draw %d", c.get("settings"), i).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void penaltyDividesPositiveAndMultipliesNegativeLogitsOncePerToken() {
        float[] scores = {2f, -2f, 1f, 0.5f};
        Sampler.penalize(scores, new long[] {0, 1, 1, 0, 3}, 5, 2f);
        assertThat(scores).containsExactly(1f, -4f, 1f, 0.25f);
    }

    @Test
    void greedyIsTheFirstArgmaxAfterThePenalty() {
        float[] logits = {1f, 3f, 3f, 2f};
        SamplingConfig greedy = SamplingConfig.greedy(1);
        assertThat(Sampler.next(logits, 0, 4, greedy, new long[0], 0, null)).isEqualTo(1);
        SamplingConfig penalised = new SamplingConfig(1, 0, 0, 1, 2, 1, 0, List.of());
        assertThat(Sampler.next(logits, 0, 4, penalised, new long[] {1, 2}, 2, null)).isEqualTo(3);
    }

    @Test
    void badSettingsNameTheOption() {
        assertThatThrownBy(() -> new SamplingConfig(4, 1, 0, 0, 1, 1, 0, List.of())).hasMessageContaining("--top-p");
        assertThatThrownBy(() -> new SamplingConfig(4, 1, 0, 1.5, 1, 1, 0, List.of())).hasMessageContaining("--top-p");
        assertThatThrownBy(() -> new SamplingConfig(4, 1, 0, 1, 0, 1, 0, List.of()))
                .hasMessageContaining("--repetition-penalty");
        assertThatThrownBy(() -> new SamplingConfig(4, 1, 0, 1, 1, 0, 0, List.of()))
                .hasMessageContaining("--num-samples");
        assertThatThrownBy(() -> new SamplingConfig(4, 1, 0, 1, 1, 1, 0, List.of(""))).hasMessageContaining("--stop");
    }
}
