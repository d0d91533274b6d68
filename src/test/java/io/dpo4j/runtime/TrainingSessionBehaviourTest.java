package io.dpo4j.runtime;

import static io.dpo4j.runtime.ToyArtifacts.GOLDEN;
import static io.dpo4j.runtime.ToyArtifacts.batch;
import static io.dpo4j.runtime.ToyArtifacts.closeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduler, gradient accumulation, export, errors and resource lifetime of {@link TrainingSession}. */
class TrainingSessionBehaviourTest {
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
    void linearSchedulerMatchesPythonApiAndClosedForm() {
        JsonNode g = GOLDEN.path("scheduler");
        long warmup = g.path("warmup").asLong();
        long total = g.path("total").asLong();
        float lr0 = (float) g.path("initial_lr").asDouble();
        float[] expected = ToyArtifacts.floats(g.path("lr_after_each_step"));
        try (TrainingSession s = ToyArtifacts.open(env)) {
            s.registerLinearScheduler(warmup, total, lr0);
            for (int step = 1; step <= expected.length; step++) {
                s.lazyResetGrad();
                closeAll(trainStep(s, "a"));
                s.optimizerStep();
                s.schedulerStep();
                double factor = step < warmup ? (double) step / warmup
                        : Math.max(0.0, (double) (total - step) / (total - warmup));
                assertThat(s.learningRate()).as("lr after step %d", step)
                        .isEqualTo(expected[step - 1])
                        .isCloseTo((float) (lr0 * factor), within(1e-7f));
            }
        }
    }

    /**
     * Accumulated gradients are the sum of the micro-batch gradients. The gradient is recovered from the first AdamW
     * step (adam_mode=1, bias-corrected): the update is d = -lr * g / (|g| + eps'), eps' = eps / sqrt(1 - beta2), so
     * g = -eps' * d / (lr - |d|). With lr = 1 the recovery is well conditioned.
     */
    @Test
    void accumulatedGradientIsTheSumOfMicroBatchGradients() {
        float[] ga = recoveredGradient("a");
        float[] gb = recoveredGradient("b");
        float[] gab = recoveredGradient("a", "b");
        double maxRel = 0;
        for (int i = 0; i < gab.length; i++) {
            double sum = (double) ga[i] + gb[i];
            maxRel = Math.max(maxRel, Math.abs(gab[i] - sum) / Math.max(1e-3, Math.abs(sum)));
        }
        assertThat(maxRel).as("max relative |g(a+b) - (g(a) + g(b))|").isLessThan(2e-3);
        assertThat(gab).isNotEqualTo(ga);
    }

    private float[] recoveredGradient(String... batches) {
        double lr = 1.0;
        double epsPrime = 1e-6 / Math.sqrt(1 - 0.999);  // optimizer_model.onnx: epsilon 1e-6, beta 0.999
        try (TrainingSession s = ToyArtifacts.open(env)) {
            s.setLearningRate((float) lr);
            float[] before = s.copyParametersToArray(true);
            for (String b : batches) {
                closeAll(trainStep(s, b));
            }
            s.optimizerStep();
            float[] after = s.copyParametersToArray(true);
            float[] g = new float[before.length];
            for (int i = 0; i < g.length; i++) {
                double d = (double) after[i] - before[i];
                g[i] = (float) (-epsPrime * d / (lr - Math.abs(d)));
            }
            return g;
        }
    }

    @Test
    void exportedInferenceModelReproducesEvalOutputs() {
        Path exported = tmp.resolve("inference.onnx");
        float[] evalPrediction;
        try (TrainingSession s = ToyArtifacts.open(env)) {
            s.setLearningRate((float) GOLDEN.path("learning_rate").asDouble());
            closeAll(trainStep(s, "a"));
            s.optimizerStep();
            List<Tensor> c = batch("c");
            List<Tensor> eval = s.evalStep(c);
            evalPrediction = eval.get(1).toFloats();
            closeAll(eval);
            closeAll(c);
            s.exportForInference(exported, List.of("prediction"));
        }
        try (InferenceSession inf = InferenceSession.open(env, SessionConfig.cpuDefaults(), exported)) {
            assertThat(inf.inputNames()).containsExactly("features");
            assertThat(inf.outputNames()).containsExactly("prediction");
            List<Tensor> c = batch("c");
            List<Tensor> out = inf.run(Map.of("features", c.get(0)), List.of("prediction"));
            assertThat(out.get(0).shape()).containsExactly(4, 3);
            assertThat(out.get(0).toFloats()).containsExactly(evalPrediction);
            closeAll(out);
            closeAll(c);
        }
    }

    @Test
    void missingCheckpointNamesThePath() {
        Path missing = tmp.resolve("nope/checkpoint");
        assertThatThrownBy(() -> ToyArtifacts.open(env, missing))
                .isInstanceOf(OrtRuntimeException.class)
                .hasMessageContaining(missing.toString())
                .satisfies(e -> {
                    OrtRuntimeException o = (OrtRuntimeException) e;
                    assertThat(o.ortCode()).isEqualTo("ORT_NO_SUCHFILE");
                    assertThat(o.action()).isEqualTo("loading checkpoint " + missing);
                });
    }

    @Test
    void corruptCheckpointReportsOrtsCodeAndMessage() throws Exception {
        Path bad = tmp.resolve("bad_checkpoint");
        java.nio.file.Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> ToyArtifacts.open(env, bad))
                .isInstanceOfSatisfying(OrtRuntimeException.class, e -> {
                    assertThat(e.action()).isEqualTo("loading checkpoint " + bad);
                    assertThat(e.ortCode()).startsWith("ORT_").isNotEqualTo("ORT_OK");
                    assertThat(e.ortMessage()).isNotBlank();
                    assertThat(e.getMessage()).contains(bad.toString(), e.ortCode(), e.ortMessage());
                });
    }

    @Test
    void wrongInputCountSaysExpectedAndFound() {
        try (TrainingSession s = ToyArtifacts.open(env)) {
            List<Tensor> a = batch("a");
            assertThatThrownBy(() -> s.trainStep(List.of(a.get(0))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected 2 [features, target], found 1");
            closeAll(a);
        }
    }

    @Test
    void wrongInputShapeSurfacesOrtError() {
        try (TrainingSession s = ToyArtifacts.open(env);
                Tensor x = Tensor.ofFloats(new float[10], 2, 5);   // (2, 5): features must be (N, 4)
                Tensor y = Tensor.ofFloats(new float[6], 2, 3)) {  // (2, 3)
            assertThatThrownBy(() -> s.trainStep(List.of(x, y)))
                    .isInstanceOfSatisfying(OrtRuntimeException.class, e -> {
                        assertThat(e.ortCode()).isEqualTo("ORT_INVALID_ARGUMENT");
                        assertThat(e.action()).startsWith("trainStep");
                        assertThat(e.ortMessage()).contains("features");
                    });
        }
    }

    @Test
    void missingPropertyIsAnOrtError() {
        try (TrainingSession s = ToyArtifacts.open(env)) {
            assertThatThrownBy(() -> s.property("never.set"))
                    .isInstanceOf(OrtRuntimeException.class)
                    .hasMessageContaining("never.set");
        }
    }

    @Test
    void closedSessionRejectsCallsAndClosesOnce() {
        TrainingSession s = ToyArtifacts.open(env);
        s.close();
        s.close();
        assertThatThrownBy(s::optimizerStep).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void survivesFiftyOpenTrainCloseCycles() {
        float first = Float.NaN;
        for (int i = 0; i < 50; i++) {
            try (TrainingSession s = ToyArtifacts.open(env)) {
                List<Tensor> out = trainStep(s, "a");
                float loss = out.get(0).floatValue();
                closeAll(out);
                s.optimizerStep();
                if (i == 0) {
                    first = loss;
                }
                assertThat(Float.floatToRawIntBits(loss)).as("loss of cycle %d", i).isEqualTo(
                        Float.floatToRawIntBits(first));
            }
        }
        assertThat(first).isCloseTo((float) GOLDEN.path("step1").path("loss").asDouble(), within(1e-6f));
    }

    private static List<Tensor> trainStep(TrainingSession s, String batchName) {
        List<Tensor> in = batch(batchName);
        try {
            return s.trainStep(in);
        } finally {
            closeAll(in);
        }
    }
}
