package io.dpo4j.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.Files2;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The safetensors layout: length prefix, 8-byte aligned JSON header with offsets, little-endian float32 data. */
class SafetensorsTest {
    @Test
    void headerOffsetsAndDataFollowTheFormat() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, List.of(new Safetensors.Tensor("a.weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                new Safetensors.Tensor("b.bias", new long[] {2}, new float[] {-0.5f, 7.25f})));
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertThat(n % 8).isZero();
        JsonNode h = Files2.JSON.readTree(new String(out.toByteArray(), 8, (int) n, StandardCharsets.UTF_8).strip());
        assertThat(h.get("a.weight").get("dtype").asText()).isEqualTo("F32");
        assertThat(h.get("a.weight").get("shape").toString()).isEqualTo("[2,3]");
        assertThat(h.get("a.weight").get("data_offsets").toString()).isEqualTo("[0,24]");
        assertThat(h.get("b.bias").get("data_offsets").toString()).isEqualTo("[24,32]");
        assertThat(h.get("__metadata__").get("format").asText()).isEqualTo("pt");
        b.position((int) (8 + n));
        float[] data = new float[8];
        b.asFloatBuffer().get(data);
        assertThat(data).containsExactly(1, 2, 3, 4, 5, 6, -0.5f, 7.25f);
        assertThat(out.size()).isEqualTo(8 + n + 32);
    }

    @Test
    void aShapeThatDoesNotMatchTheValuesIsRefused() {
        assertThatThrownBy(() -> new Safetensors.Tensor("x", new long[] {2, 2}, new float[3]))
                .hasMessage("tensor x: expected 4 values for shape [2, 2], found 3");
    }
}
