package io.dpo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** CUDA sessions. GPU checks run only with DPO4J_TEST_CUDA=1; without it, checks the CPU build's error message. */
class CudaSessionTest {
    private static boolean cudaRequested() {
        return "1".equals(System.getenv("DPO4J_TEST_CUDA"));
    }

    private static TrainingSession openToy(OrtEnvironment env, Device device) {
        var dir = ToyArtifacts.DIR;
        return TrainingSession.open(env, new SessionConfig(device, 0, true, 42L), dir.resolve("checkpoint"),
                dir.resolve("training_model.onnx"), dir.resolve("eval_model.onnx"),
                dir.resolve("optimizer_model.onnx"));
    }

    @Test
    void cpuBuildExplainsWhatCudaNeeds() {
        assumeFalse(cudaRequested(), "DPO4J_TEST_CUDA=1: the CUDA natives are expected to load");
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-test")) {
            assertThatThrownBy(() -> openToy(env, Device.cuda(0)))
                    .isInstanceOfSatisfying(OrtRuntimeException.class, e -> {
                        assertThat(e.action()).contains("CUDA execution provider on cuda:0");
                        assertThat(e.getMessage()).contains("-Pgpu", "libcudart.so.13", "DPO4J_CUDA_LIBS",
                                "LD_LIBRARY_PATH");
                    });
        }
    }

    @Test
    void trainsOnCudaLikeOnCpu() {
        assumeTrue(cudaRequested(), "needs a CUDA device: set DPO4J_TEST_CUDA=1 on a GPU machine with -Pgpu natives");
        float lr = (float) ToyArtifacts.GOLDEN.path("learning_rate").asDouble();
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-test");
                TrainingSession s = openToy(env, Device.cuda(0));
                Tensor loss = Tensor.zerosFloat();                // () preallocated CPU output
                Tensor prediction = Tensor.zerosFloat(5, 3)) {    // (5, 3)
            s.setLearningRate(lr);
            List<Tensor> a = ToyArtifacts.batch("a");
            s.trainStep(a, List.of(loss, prediction));
            ToyArtifacts.closeAll(a);
            assertThat(loss.floatValue()).isCloseTo(
                    (float) ToyArtifacts.GOLDEN.path("step1").path("loss").asDouble(), within(1e-5f));
            s.optimizerStep();
            float[] expected = ToyArtifacts.floats(ToyArtifacts.GOLDEN.path("step1").path("trainable_flat_after"));
            float[] actual = s.copyParametersToArray(true);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("parameter %d", i).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }
}
