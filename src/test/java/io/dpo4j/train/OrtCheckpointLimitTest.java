package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.artifacts.ArtifactSet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ORT's 2 GiB checkpoint buffer. The boundary cases are the ones measured with onnxruntime 1.24.1 through the JVM
 * (a one-tensor model, no external data, one AdamW step, then {@code SaveCheckpoint} with the optimizer state):
 * 150M values saved (a 1,800,000,336-byte file that reopens), 200M values failed.
 */
class OrtCheckpointLimitTest {
    @Test
    void bufferBytesCountBothMomentsAndInlineParameters() {
        assertThat(OrtCheckpointLimit.bufferBytes(150_000_000L, 150_000_000L, false)).isEqualTo(1_800_000_000L);
        assertThat(OrtCheckpointLimit.bufferBytes(1_100_048_384L, 1_100_048_384L, true)).isEqualTo(8_800_387_072L);
    }

    @Test
    void measuredBoundaryInlineParameters() {
        assertThat(OrtCheckpointLimit.problem(150_000_000L, 150_000_000L, false)).isEmpty();
        assertThat(OrtCheckpointLimit.problem(200_000_000L, 200_000_000L, false)).hasValueSatisfying(why ->
                assertThat(why).contains("--save-only-model").contains("2 GiB").contains("2.40 GB")
                        .contains("8 bytes x 200,000,000 trainable values")
                        .contains("and the parameters (4 bytes x 200,000,000, no external data)"));
    }

    @Test
    void realShapes() {
        assertThat(OrtCheckpointLimit.problem(124_439_808L, 124_439_808L, false)).as("GPT-2 124M").isEmpty();
        assertThat(OrtCheckpointLimit.problem(494_032_768L, 494_032_768L, true)).as("Qwen2.5-0.5B, external data")
                .hasValueSatisfying(why -> assertThat(why).doesNotContain("and the parameters"));
        assertThat(OrtCheckpointLimit.problem(1_100_048_384L, 1_100_048_384L, true)).as("TinyLlama-1.1B").isPresent();
        assertThat(OrtCheckpointLimit.problem(6_307_840L, 6_307_840L, false)).as("TinyLlama-1.1B LoRA r 8 adapters")
                .isEmpty();
    }

    @Test
    void theCommittedTinySetsFit() {
        for (String model : new String[] {"tiny-gpt2", "tiny-llama"}) {
            assertThat(OrtCheckpointLimit.resumableProblem(ArtifactSet.load(Path.of("artifacts", model)).manifest()))
                    .as(model).isEmpty();
        }
    }
}
