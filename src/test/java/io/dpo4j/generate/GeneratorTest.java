package io.dpo4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Greedy generation through inference_model.onnx against transformers' own {@code generate(do_sample=False)}
 * (src/test/resources/golden/generate.json, written by tools/parity/golden_generate.py), plus sampling properties.
 */
class GeneratorTest {
    private static JsonNode golden(String model) throws Exception {
        return new ObjectMapper().readTree(Path.of("src/test/resources/golden/generate.json").toFile())
                .get("models").get(model);
    }

    private static long[] longs(JsonNode a) {
        return StreamSupport.stream(a.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void greedyMatchesTransformersGenerate(String model) throws Exception {
        JsonNode g = golden(model);
        long[] expected = longs(g.get("new_ids"));
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession s = InferenceSession.open(env, SessionConfig.cpuDefaults(),
                     Path.of("artifacts", model, "inference_model.onnx"))) {
            // eos -1: transformers was asked for exactly this many tokens (min_new_tokens), never stopping early.
            long[] found = new Generator(s, -1, 256).generate(longs(g.get("prompt_ids")),
                    SamplingConfig.greedy(expected.length));
            assertThat(found).containsExactly(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama"})
    void samplingIsSeededAndTopOneIsGreedy(String model) throws Exception {
        long[] prompt = longs(golden(model).get("prompt_ids"));
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession s = InferenceSession.open(env, SessionConfig.cpuDefaults(),
                     Path.of("artifacts", model, "inference_model.onnx"))) {
            Generator gen = new Generator(s, -1, 256);
            long[] a = gen.generate(prompt, new SamplingConfig(8, 1.0, 0, 7));
            long[] b = gen.generate(prompt, new SamplingConfig(8, 1.0, 0, 7));
            long[] c = gen.generate(prompt, new SamplingConfig(8, 1.0, 0, 8));
            assertThat(a).containsExactly(b).isNotEqualTo(c);
            assertThat(gen.generate(prompt, new SamplingConfig(8, 1.0, 1, 3)))
                    .containsExactly(gen.generate(prompt, SamplingConfig.greedy(8)));
        }
    }

    @Test
    void badSettingsNameTheOption() {
        assertThatThrownBy(() -> new SamplingConfig(0, 0, 0, 0)).hasMessageContaining("--max-new-tokens");
        assertThatThrownBy(() -> new SamplingConfig(4, -1, 0, 0)).hasMessageContaining("--temperature");
        assertThatThrownBy(() -> new SamplingConfig(4, 1, -2, 0)).hasMessageContaining("--top-k");
    }
}
