package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dpo4j.data.Batch;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.train.CheckpointStore;
import io.dpo4j.train.GraphFeeds;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained checkpoint exported with {@code export-inference --outputs logits} is a generation model whose logits
 * give the same sequence log-probs (log-softmax computed here in float64) as the checkpoint's reference graph.
 */
class ExportInferenceCommandTest {
    @TempDir
    Path tmp;

    @Test
    void exportedLogitsReproduceTheTrainedPolicysLogProbs() {
        Path out = tmp.resolve("run");
        int code = Main.commandLine().execute("train", "--max-steps", "3", "--batch-size", "4", "--lr", "1e-2",
                "--output", out.toString(), "--cache-dir", tmp.resolve("cache").toString(), "--no-progress");
        assertThat(code).isZero();
        Path ckpt = out.resolve("checkpoints").resolve("step-000003");
        Path onnx = tmp.resolve("policy.onnx");
        assertThat(Main.commandLine().execute("export-inference", "--checkpoint", ckpt.toString(), "--output",
                onnx.toString(), "--outputs", "logits,logps")).isZero();

        // (N=2, T=6): a 3-token prompt and a 3-token completion, one row right-padded.
        long[] ids = {10, 20, 30, 40, 50, 60, 11, 21, 31, 41, 4095, 4095};
        long[] attn = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        long[] comp = {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0};
        Batch batch = new Batch(1, 6, ids, attn, comp);
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession policy = InferenceSession.open(env, SessionConfig.cpuDefaults(), onnx)) {
            assertThat(policy.inputNames()).containsExactly("input_ids", "attention_mask", "completion_mask");
            Map<String, Tensor> feeds = GraphFeeds.forReference(batch);
            List<Tensor> outs = policy.run(feeds, List.of("logits", "logps"));
            float[] logits = outs.get(0).toFloats(); // (N, T, V)
            float[] logps = outs.get(1).toFloats(); // (N)
            assertThat(outs.get(0).shape()).containsExactly(2, 6, 4096);
            for (int r = 0; r < 2; r++) {
                double sum = 0;
                for (int t = 1; t < 6; t++) {
                    if (comp[r * 6 + t] == 1) {
                        sum += logSoftmaxAt(logits, (r * 6 + t - 1) * 4096, 4096, (int) ids[r * 6 + t]);
                    }
                }
                assertThat(logps[r]).isCloseTo((float) sum, within(1e-4f * Math.abs((float) sum)));
            }
            outs.forEach(Tensor::close);
            feeds.values().forEach(Tensor::close);
        }
        CheckpointStore.load(ckpt); // still intact after the export
    }

    private static double logSoftmaxAt(float[] logits, int offset, int v, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double z = 0;
        for (int i = 0; i < v; i++) {
            z += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + target] - max - Math.log(z);
    }

}
