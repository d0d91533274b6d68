package io.dpo4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both generation paths against transformers' {@code generate} (src/test/resources/golden/generate.json, written by
 * tools/parity/golden_generate.py): greedy, greedy with a repetition penalty, and seeded sampling (temperature, top-k, top-p,
 * repetition penalty, two samples per prompt) where transformers filters with its own logits processors and draws
 * with the Java sampler's SplittableRandom stream. The KV path runs each case's prompts (of different lengths) as one
 * left-padded batch; transformers ran each prompt alone.
 */
class GenerationGoldensTest {
    private static OrtEnvironment env;

    @BeforeAll
    static void open() {
        env = OrtEnvironment.create("generation-goldens");
    }

    @AfterAll
    static void close() {
        env.close();
    }

    static JsonNode goldens() throws Exception {
        return new ObjectMapper().readTree(Path.of("src/test/resources/golden/generate.json").toFile());
    }

    static long[] longs(JsonNode a) {
        return StreamSupport.stream(a.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }

    static KvCacheGenerator kv(InferenceSession s, String model) {
        int[] shape = KvCacheGenerator.cacheShape(ArtifactSet.load(Path.of("artifacts", model)).manifest());
        return new KvCacheGenerator(s, shape[0], shape[1], -1, 256);
    }

    static InferenceSession session(String model, String graph) {
        return InferenceSession.open(env, SessionConfig.cpuDefaults(), Path.of("artifacts", model, graph));
    }

    private static SamplingConfig settings(JsonNode s) {
        return new SamplingConfig(s.get("max_new_tokens").asInt(), s.get("temperature").asDouble(),
                s.get("top_k").asInt(), s.get("top_p").asDouble(), s.get("repetition_penalty").asDouble(),
                s.get("samples").asInt(), s.get("seed").asLong(), List.of());
    }

    @Test
    void splittableRandomIsTheGoldenScriptsSplitMix64() throws Exception {
        JsonNode g = goldens().get("splitmix");
        SplittableRandom r = new SplittableRandom(g.get("seed").asLong());
        for (JsonNode d : g.get("next_double")) {
            assertThat(r.nextDouble()).isEqualTo(d.asDouble());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void kvCachePathMatchesTransformersGenerate(String model) throws Exception {
        JsonNode g = goldens().get("models").get(model);
        try (InferenceSession s = session(model, KvCacheGenerator.GRAPH)) {
            KvCacheGenerator gen = kv(s, model);
            long[] expected = longs(g.get("new_ids"));
            assertThat(gen.generate(longs(g.get("prompt_ids")), SamplingConfig.greedy(expected.length)))
                    .containsExactly(expected);
            for (JsonNode c : g.get("cases")) {
                assertCase(gen, c);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void noCachePathMatchesTransformersGenerate(String model) throws Exception {
        JsonNode g = goldens().get("models").get(model);
        try (InferenceSession s = session(model, "inference_model.onnx")) {
            Generator gen = new Generator(s, -1, 256);
            for (JsonNode c : g.get("cases")) {
                assertCase(gen, c);
            }
        }
    }

    private static void assertCase(TokenGenerator gen, JsonNode c) {
        List<long[]> prompts = new ArrayList<>();
        c.get("prompt_ids").forEach(p -> prompts.add(longs(p)));
        List<long[]> found = gen.generate(prompts, settings(c.get("settings")), StopStrings.NONE);
        List<long[]> expected = new ArrayList<>();
        c.get("outputs").forEach(o -> expected.add(longs(o)));
        assertThat(found).as(c.get("name").asText() + " (" + gen.method() + ")").hasSameSizeAs(expected);
        for (int r = 0; r < expected.size(); r++) {
            assertThat(found.get(r)).as(c.get("name").asText() + " row " + r + " (" + gen.method() + ")")
                    .containsExactly(expected.get(r));
        }
    }
}
