package io.dpo4j.runtime;

import static io.dpo4j.runtime.ToyArtifacts.GOLDEN;
import static io.dpo4j.runtime.ToyArtifacts.batch;
import static io.dpo4j.runtime.ToyArtifacts.closeAll;
import static io.dpo4j.runtime.ToyArtifacts.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training-session parity with onnxruntime-training's Python API on the toy artifacts (golden.json). */
class TrainingSessionTest {
    /**
     * Java runs ORT 1.24.1, the goldens come from onnxruntime-training 1.19.2 on the same graphs and inputs; both
     * use the same CPU kernels; observed differences are at most 3e-8 (one float ulp), losses identical.
     */
    private static final float TOL = 1e-6f;
    private static final float LR = (float) GOLDEN.path("learning_rate").asDouble();
    private static OrtEnvironment env;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createEnvironment() {
        env = OrtEnvironment.create("dpo4j-test");
    }

    @AfterAll
    static void closeEnvironment() {
        env.close();
    }

    @Test
    void reportsInputAndOutputNamesOfTheGraphs() {
        try (TrainingSession s = ToyArtifacts.open(env)) {
            assertThat(s.trainingInputNames()).isEqualTo(ToyArtifacts.strings(GOLDEN.path("training_input_names")))
                    .containsExactly("features", "target");
            assertThat(s.trainingOutputNames()).isEqualTo(ToyArtifacts.strings(GOLDEN.path("training_output_names")));
            assertThat(s.evalInputNames()).containsExactly("features", "target");
            assertThat(s.evalOutputNames()).hasSize(2).contains("prediction");
            assertThat(s.openTimings()).matches("checkpoint read \\d+\\.\\d s, session created \\d+\\.\\d s");
        }
    }

    @Test
    void trainAndOptimizerStepsMatchPythonApi() {
        JsonNode step1 = GOLDEN.path("step1");
        try (TrainingSession s = ToyArtifacts.open(env)) {
            s.setLearningRate(LR);
            assertThat(s.learningRate()).isEqualTo(LR);
            List<Tensor> a = batch("a");
            List<Tensor> out = s.trainStep(a);
            assertThat(out).hasSize(2);
            assertThat(out.get(0).shape()).isEmpty();  // () scalar loss
            float loss = out.get(0).floatValue();
            assertThat(loss).isFinite().isCloseTo((float) step1.path("loss").asDouble(), within(TOL));
            assertThat(out.get(1).shape()).containsExactly(5, 3);
            assertClose(out.get(1).toFloats(), floats(step1.path("prediction")));
            closeAll(out);
            closeAll(a);

            s.optimizerStep();
            assertClose(s.copyParametersToArray(true), floats(step1.path("trainable_flat_after")));
            for (String name : ToyArtifacts.strings(GOLDEN.path("parameter_names"))) {
                assertClose(s.parameter(name), floats(step1.path("params_after").path(name)));
            }

            s.lazyResetGrad();
            List<Tensor> b = batch("b");
            List<Tensor> out2 = s.trainStep(b);
            assertThat(out2.get(0).floatValue()).isCloseTo((float) GOLDEN.path("step2").path("loss").asDouble(),
                    within(TOL));
            closeAll(out2);
            closeAll(b);
            s.optimizerStep();
            assertClose(s.copyParametersToArray(true), floats(GOLDEN.path("step2").path("trainable_flat_after")));

            List<Tensor> c = batch("c");
            List<Tensor> eval = s.evalStep(c);
            JsonNode ev = GOLDEN.path("eval_after_step2");
            assertThat(eval.get(0).floatValue()).isCloseTo((float) ev.path("loss").asDouble(), within(TOL));
            assertClose(eval.get(1).toFloats(), floats(ev.path("prediction")));
            closeAll(eval);
            closeAll(c);
        }
    }

    @Test
    void aSessionWithoutTheOptimizerGraphEvaluatesAndReadsAsAFullOneButCannotStep() {
        Path dir = ToyArtifacts.DIR;
        List<Tensor> c = batch("c");
        try (TrainingSession full = ToyArtifacts.open(env);
             TrainingSession reading = TrainingSession.open(env, SessionConfig.cpuDefaults(), dir.resolve("checkpoint"),
                     dir.resolve("training_model.onnx"), dir.resolve("eval_model.onnx"), null)) {
            assertThat(reading.copyParametersToArray(false)).containsExactly(full.copyParametersToArray(false));
            List<Tensor> a = full.evalStep(c);
            List<Tensor> b = reading.evalStep(c);
            assertThat(b.get(0).floatValue()).isEqualTo(a.get(0).floatValue());
            assertThat(b.get(1).toFloats()).containsExactly(a.get(1).toFloats());
            closeAll(a);
            closeAll(b);
            assertThatThrownBy(reading::optimizerStep).isInstanceOf(OrtRuntimeException.class)
                    .hasMessageContaining("running optimizer step");
        } finally {
            closeAll(c);
        }
    }

    @Test
    void parametersAndShapesMatchTheCheckpoint() {
        try (TrainingSession s = ToyArtifacts.open(env)) {
            assertThat(s.parameterCount(true)).isEqualTo(GOLDEN.path("trainable_count").asLong()).isEqualTo(64);
            assertThat(s.parameterCount(false)).isEqualTo(GOLDEN.path("total_count").asLong()).isEqualTo(67);
            for (String name : ToyArtifacts.strings(GOLDEN.path("parameter_names"))) {
                assertThat(s.parameter(name)).containsExactly(floats(GOLDEN.path("initial_parameters").path(name)));
                assertThat(s.parameterShape(name)).containsExactly(
                        ToyArtifacts.longs(GOLDEN.path("parameter_shapes").path(name)));
            }
            assertThat(s.copyParametersToArray(true)).containsExactly(floats(GOLDEN.path("initial_trainable_flat")));
        }
    }

    @Test
    void copyParametersRoundTrips() {
        try (TrainingSession s = ToyArtifacts.open(env)) {
            float[] all = s.copyParametersToArray(false);
            float[] shifted = new float[all.length];
            for (int i = 0; i < all.length; i++) {
                shifted[i] = all[i] + 0.25f * (i % 3) - 0.5f;
            }
            s.copyParametersFromArray(shifted, false);
            assertThat(s.copyParametersToArray(false)).containsExactly(shifted);
            float[] frozenBias = s.parameter("fc2.bias");
            assertThat(frozenBias).hasSize(3).isNotEqualTo(floats(GOLDEN.path("initial_parameters").path("fc2.bias")));

            float[] trainable = s.copyParametersToArray(true);
            trainable[0] = 7.5f;
            s.copyParametersFromArray(trainable, true);
            assertThat(s.copyParametersToArray(true)).containsExactly(trainable);
            assertThat(s.parameter("fc2.bias")).containsExactly(frozenBias);
        }
    }

    @Test
    void savedCheckpointReproducesTheNextStepBitForBit() {
        Path saved = tmp.resolve("ckpt");
        float lossContinued;
        float[] paramsContinued;
        try (TrainingSession s = ToyArtifacts.open(env)) {
            s.setLearningRate(LR);
            closeAll(trainStep(s, "a"));
            s.optimizerStep();
            s.setProperty("dpo4j.step", "1");
            s.saveCheckpoint(saved, true);
            s.lazyResetGrad();
            List<Tensor> out = trainStep(s, "b");
            lossContinued = out.get(0).floatValue();
            closeAll(out);
            s.optimizerStep();
            paramsContinued = s.copyParametersToArray(false);
        }
        try (TrainingSession r = ToyArtifacts.open(env, saved)) {
            assertThat(r.property("dpo4j.step")).isEqualTo("1");
            r.setLearningRate(LR);
            List<Tensor> out = trainStep(r, "b");
            assertThat(Float.floatToRawIntBits(out.get(0).floatValue())).isEqualTo(
                    Float.floatToRawIntBits(lossContinued));
            closeAll(out);
            r.optimizerStep();
            assertThat(r.copyParametersToArray(false)).containsExactly(paramsContinued);
        }
    }

    @Test
    void propertiesRoundTripThroughSavedCheckpoints() {
        Path saved = tmp.resolve("props");
        try (TrainingSession s = ToyArtifacts.open(env)) {
            s.setProperty("dpo4j.run", "toy run \u00e9\u4e2d");
            s.setProperty("dpo4j.empty", "");
            assertThat(s.property("dpo4j.run")).isEqualTo("toy run \u00e9\u4e2d");
            s.setProperty("dpo4j.run", "overwritten");
            assertThat(s.property("dpo4j.run")).isEqualTo("overwritten");
            s.saveCheckpoint(saved, false);
        }
        try (TrainingSession r = ToyArtifacts.open(env, saved)) {
            assertThat(r.property("dpo4j.run")).isEqualTo("overwritten");
            assertThat(r.property("dpo4j.empty")).isEmpty();
        }
    }

    @Test
    void accumulationOverMicroBatchesMatchesPythonApi() {
        JsonNode acc = GOLDEN.path("accumulation");
        try (TrainingSession s = ToyArtifacts.open(env)) {
            s.setLearningRate(LR);
            s.lazyResetGrad();
            List<Tensor> outA = trainStep(s, "a");
            List<Tensor> outB = trainStep(s, "b");
            assertThat(outA.get(0).floatValue()).isCloseTo((float) acc.path("loss_a").asDouble(), within(TOL));
            assertThat(outB.get(0).floatValue()).isCloseTo((float) acc.path("loss_b").asDouble(), within(TOL));
            closeAll(outA);
            closeAll(outB);
            s.optimizerStep();
            assertClose(s.copyParametersToArray(true), floats(acc.path("trainable_flat_after")));
        }
    }

    private static List<Tensor> trainStep(TrainingSession s, String batchName) {
        List<Tensor> in = batch(batchName);
        try {
            return s.trainStep(in);
        } finally {
            closeAll(in);
        }
    }

    static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < actual.length; i++) {
            float d = Math.abs(actual[i] - expected[i]);
            if (!(d <= maxDiff)) {
                maxDiff = d;
                worst = i;
            }
        }
        assertThat(maxDiff).as("max |actual - expected| (at index %d of %d)", worst, actual.length)
                .isLessThanOrEqualTo(TOL);
    }
}
