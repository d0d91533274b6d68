package io.dpo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CPU arena, memory pattern and spinning switches reach ORT (every combination opens a session and trains) and
 * change memory and speed only: two train + optimizer steps give bit-identical losses and log-probs in all of them.
 */
class SessionTuningTest {
    private static final Path DIR = Path.of("artifacts", "tiny-gpt2");
    private static final int T = 6;

    @Test
    void everyCombinationTrainsToTheSameBits() {
        assumeTrue(Files.isRegularFile(DIR.resolve("checkpoint")), "needs " + DIR + " (tools/export.py)");
        float[] expected = null;
        for (int bits = 0; bits < 8; bits++) {
            SessionTuning tuning = new SessionTuning((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0);
            float[] got = twoSteps(new SessionConfig(Device.CPU, 1, true, 42L, tuning));
            if (expected == null) {
                expected = got;
            }
            assertThat(got).as(tuning.toString()).containsExactly(expected);
        }
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(SessionTuning.defaults()).isEqualTo(new SessionTuning(SessionTuning.DEFAULT_CPU_ARENA,
                SessionTuning.DEFAULT_MEM_PATTERN, SessionTuning.DEFAULT_SPIN_WAIT));
        assertThat(SessionConfig.cpuDefaults().tuning()).isEqualTo(SessionTuning.defaults());
        assertThat(new SessionTuning(true, false, true).toString())
                .isEqualTo("cpu-arena on, mem-pattern off, spin-wait on");
    }

    @Test
    void nullTuningIsRejected() {
        assertThatThrownBy(() -> new SessionConfig(Device.CPU, 0, true, 1L, null))
                .hasMessage("SessionConfig.tuning: expected arena/pattern/spinning settings, found null");
    }

    /** @return losses and log-probs of two optimizer steps on one pair: {loss1, logp1_w, logp1_l, loss2, ...} */
    private static float[] twoSteps(SessionConfig sc) {
        List<Float> out = new ArrayList<>();
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-test");
                TrainingSession s = TrainingSession.open(env, sc, DIR.resolve("checkpoint"),
                        DIR.resolve("training_model.onnx"), null, DIR.resolve("optimizer_model.onnx"))) {
            s.setLearningRate(1e-2f);
            for (int step = 0; step < 2; step++) {
                List<Tensor> in = pair();
                List<Tensor> res = s.trainStep(in);
                ToyArtifacts.closeAll(in);
                out.add(res.get(0).floatValue());
                for (float f : res.get(1).toFloats()) {
                    out.add(f);
                }
                ToyArtifacts.closeAll(res);
                s.optimizerStep();
                s.lazyResetGrad();
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    private static List<Tensor> pair() {
        List<Tensor> t = new ArrayList<>();
        t.add(Tensor.ofLongs(new long[] {5, 17, 300, 42, 4000, 0, 5, 17, 301, 9, 0, 0}, 2, T));  // input_ids (N, T)
        t.add(Tensor.ofLongs(new long[] {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0}, 2, T));            // attention_mask (N, T)
        t.add(Tensor.ofLongs(new long[] {0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0}, 2, T));            // completion_mask (N, T)
        t.add(Tensor.ofFloats(new float[] {-20f, -21f}, 2));    // ref_logps (N)
        t.add(Tensor.ofFloats(new float[] {1f}, 1));            // pref_prob (B)
        t.add(Tensor.ofFloats(new float[] {1f}, 1));            // pair_weight (B)
        t.add(Tensor.ofFloats(new float[] {1f, 0f, 0f, 0f, 0f}, 5));  // loss_mix (K)
        t.add(Tensor.scalarFloat(0.1f));                        // beta
        t.add(Tensor.scalarFloat(0f));                          // label_smoothing
        t.add(Tensor.scalarFloat(0f));                          // length_alpha
        t.add(Tensor.scalarFloat(0.5f));                        // simpo_gamma
        t.add(Tensor.scalarFloat(0f));                          // rpo_alpha
        t.add(Tensor.scalarFloat(0f));                          // length_target
        t.add(Tensor.scalarFloat(0f));                          // length_lambda
        return t;
    }
}
