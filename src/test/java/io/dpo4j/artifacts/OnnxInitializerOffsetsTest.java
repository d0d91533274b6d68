package io.dpo4j.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The external initializers read from the wire format equal what the exporter recorded independently (the LoRA
 * manifest's {@code base_weights.offsets}, written by tools/export with the onnx package), with lengths of the
 * manifest's shapes; a truncated protobuf fails naming the file.
 */
class OnnxInitializerOffsetsTest {
    @TempDir
    Path tmp;

    @Test
    void offsetsEqualTheLoraManifestsAndLengthsItsShapes() {
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts", "tiny-llama-lora"));
        Map<String, OnnxInitializerOffsets.Entry> read = OnnxInitializerOffsets.read(art.file("inference_model.onnx"));
        Map<String, Long> want = art.manifest().lora().baseOffsets();
        assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(want.keySet());
        for (Manifest.Parameter p : art.manifest().parameters()) {
            OnnxInitializerOffsets.Entry e = read.get(p.name());
            long n = p.shape().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
            assertThat(e.location()).isEqualTo("weights.data");
            assertThat(e.offset()).as(p.name()).isEqualTo(want.get(p.name()));
            assertThat(e.length()).as(p.name()).isEqualTo(4 * n);
        }
    }

    @Test
    void truncatedModelFailsNamingTheFile() throws Exception {
        byte[] all = Files.readAllBytes(Path.of("artifacts", "tiny-gpt2", "inference_model.onnx"));
        Path cut = Files.write(tmp.resolve("cut.onnx"), java.util.Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> OnnxInitializerOffsets.read(cut)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining(cut.toString()).hasMessageContaining("expected an ONNX model protobuf");
    }
}
