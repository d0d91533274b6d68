package io.dpo4j.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared write of a graph with its own data file: both in place when it works, nothing left when it fails. */
class InferenceGraphCopyWriteTest {
    private static final Path DIR = Path.of("artifacts/tiny-llama");
    private static final Path GRAPH = DIR.resolve("inference_model.onnx");
    private static final Path WEIGHTS = DIR.resolve("weights.data");

    @TempDir
    Path tmp;

    @Test
    void writesTheEditedDataAndTheRelocatedGraph() throws IOException {
        Path out = tmp.resolve("m.onnx");
        InferenceGraphCopy.writeWithData(GRAPH, WEIGHTS, "weights.data", out,
                data -> Files.write(data, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.WRITE));
        byte[] want = Files.readAllBytes(WEIGHTS);
        want[0] = 1;
        want[1] = 2;
        want[2] = 3;
        assertThat(Files.readAllBytes(tmp.resolve("m.onnx.data"))).isEqualTo(want);
        assertThat(OnnxExternalData.locations(out)).containsExactly("m.onnx.data");
        assertThat(names()).containsExactlyInAnyOrder("m.onnx", "m.onnx.data"); // no temporary file left
    }

    @Test
    void leavesNothingWhenTheEditFails() throws IOException {
        Path out = tmp.resolve("m.onnx");
        assertThatThrownBy(() -> InferenceGraphCopy.writeWithData(GRAPH, WEIGHTS, "weights.data", out, data -> {
            throw new IllegalArgumentException("edit refused");
        })).hasMessage("edit refused");
        assertThat(names()).isEmpty();
    }

    @Test
    void leavesNothingWhenTheGraphNamesAnotherDataFile() throws IOException {
        Path out = tmp.resolve("m.onnx");
        assertThatThrownBy(() -> InferenceGraphCopy.writeWithData(GRAPH, WEIGHTS, "other.data", out, data -> {}))
                .isInstanceOf(ArtifactException.class)
                .hasMessage(GRAPH + ": external data location: expected 'other.data', found 'weights.data'");
        assertThat(names()).isEmpty();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
