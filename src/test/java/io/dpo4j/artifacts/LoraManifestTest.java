package io.dpo4j.artifacts;

import static io.dpo4j.artifacts.ArtifactCopies.copyOf;
import static io.dpo4j.artifacts.ArtifactCopies.editManifest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** manifest.json field {@code lora}: read from the committed LoRA sets, and every inconsistency named. */
class LoraManifestTest {
    @TempDir
    Path tmp;

    @Test
    void committedLoraSetsDescribeTheirAdapters() {
        LoraSection g = ArtifactSet.load(Path.of("artifacts/tiny-gpt2-lora")).manifest().lora();
        assertThat(g.r()).isEqualTo(8);
        assertThat(g.alpha()).isEqualTo(32.0);
        assertThat(g.scaling()).isEqualTo(4.0);
        assertThat(g.targetModules()).containsExactly("c_attn");
        assertThat(g.adapters()).hasSize(2).allSatisfy(a -> {
            assertThat(a.fanInFanOut()).isTrue();
            assertThat(a.baseShape()).containsExactly(64, 192);
        });
        assertThat(g.numTrainable()).isEqualTo(2L * (8 * 64 + 192 * 8));
        LoraSection l = ArtifactSet.load(Path.of("artifacts/tiny-llama-lora")).manifest().lora();
        assertThat(l.targetModules()).containsExactly("q_proj", "v_proj");
        assertThat(l.adapters()).extracting(LoraSection.Adapter::module).containsExactly(
                "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj");
        assertThat(l.adapters().get(1).baseShape()).containsExactly(32, 64); // v_proj (out, in), 2 KV heads
        assertThat(ArtifactSet.load(Path.of("artifacts/tiny-llama")).manifest().isLora()).isFalse();
    }

    @Test
    void inconsistentSectionsAreNamed() throws Exception {
        Path dir = copyOf(tmp, "tiny-gpt2-lora");
        editManifest(dir, m -> ((ObjectNode) m.get("lora")).put("r", "eight"));
        assertThatThrownBy(() -> ArtifactSet.load(dir)).hasMessageEndingWith(
                "field 'lora.r': expected an integer, found a string (\"eight\")");
        editManifest(dir, m -> ((ObjectNode) m.get("lora")).put("r", 8).put("scaling", 5.0));
        assertThatThrownBy(() -> ArtifactSet.load(dir)).hasMessage(
                "manifest.json: field 'lora.scaling': expected alpha / r = 4.0, found 5.0");
        editManifest(dir, m -> ((ObjectNode) m.get("lora")).put("scaling", 4.0).put("num_trainable", 5));
        assertThatThrownBy(() -> ArtifactSet.load(dir)).hasMessage(
                "manifest.json: field 'lora.num_trainable': expected the adapters' size 4096, found 5");
        editManifest(dir, m -> {
            ObjectNode l = (ObjectNode) m.get("lora");
            l.put("num_trainable", 4096);
            ((ObjectNode) l.get("base_weights")).put("file", "../tiny-gpt2/weights.data");
        });
        assertThatThrownBy(() -> ArtifactSet.load(dir)).hasMessageContaining(
                "field 'lora.base_weights.file': expected a plain file name");
        editManifest(dir, m -> {
            ObjectNode w = (ObjectNode) m.get("lora").get("base_weights");
            w.put("file", "weights.data");
            ((ObjectNode) w.get("offsets")).put("transformer.ln_f.bias", 1_514_496L);
        });
        assertThatThrownBy(() -> ArtifactSet.load(dir)).hasMessageContaining(
                "field 'lora.base_weights.offsets': entry 'transformer.ln_f.bias': expected an offset with 256 bytes "
                        + "inside weights.data (1514496 bytes), found 1514496");
        editManifest(dir, m -> {
            ((ObjectNode) m.get("lora").get("base_weights").get("offsets")).put("transformer.ln_f.bias", 0);
            ((ObjectNode) m.get("lora").get("adapters").get(0)).put("in_features", 32);
            ((ObjectNode) m.get("lora")).put("num_trainable", 4096 - 8 * 32);
        });
        assertThatThrownBy(() -> ArtifactSet.load(dir)).hasMessageContaining(
                "entry 'transformer.h.0.attn.c_attn': expected base weight transformer.h.0.attn.c_attn.weight of "
                        + "shape [32, 192] in field 'parameters', found [64, 192]");
    }
}
