package io.dpo4j.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relocating a graph's external data: every location renamed, nothing else changed, other names refused. */
class OnnxRelocateTest {
    @TempDir
    Path tmp;

    @Test
    void renamesEveryLocationAndKeepsTheRest() throws Exception {
        Path src = Path.of("artifacts/tiny-llama/inference_model.onnx");
        Path out = tmp.resolve("policy.onnx");
        OnnxRelocate.relocate(src, out, "weights.data", "policy.onnx.data");
        assertThat(OnnxExternalData.locations(out)).containsExactly("policy.onnx.data");
        byte[] back = OnnxRelocate.relocate(Files.readAllBytes(out), "policy.onnx.data", "weights.data", "x");
        assertThat(back).isEqualTo(Files.readAllBytes(src)); // renaming back restores the original bytes
        assertThat(Files.size(out) - Files.size(src)).isPositive(); // longer name, longer entries
    }

    @Test
    void anotherLocationOrABadNameIsRefused() throws Exception {
        byte[] model = Files.readAllBytes(Path.of("artifacts/tiny-gpt2/reference_model.onnx"));
        assertThatThrownBy(() -> OnnxRelocate.relocate(model, "other.data", "x.data", "ref"))
                .hasMessage("ref: external data location: expected 'other.data', found 'weights.data'");
        assertThatThrownBy(() -> OnnxRelocate.relocate(model, "weights.data", "../x.data", "ref"))
                .hasMessageContaining("expected a plain file name");
        assertThatThrownBy(() -> OnnxRelocate.relocate(new byte[] {0x0a, 0x7f}, "a", "b", "bad"))
                .hasMessageContaining("bad: expected an ONNX model protobuf");
    }
}
