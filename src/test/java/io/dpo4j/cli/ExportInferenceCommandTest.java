package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.OnnxExternalData;
import io.dpo4j.data.Batch;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.train.CheckpointStore;
import io.dpo4j.train.CheckpointWeights;
import io.dpo4j.train.GraphFeeds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A trained checkpoint exported with {@code export-inference} (default {@code --outputs logits}) is the artifacts'
 * inference graph with the trained weights: its logits equal that graph run on the checkpoint's weights (initializer
 * overrides), and give the same sequence log-probs (log-softmax computed here in float64) as the eval graph cut at
 * {@code logps} ({@code --outputs logps}). {@code logits} mixed with eval-graph outputs fails naming the valid ones.
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
        Path cut = tmp.resolve("policy-logps.onnx");
        assertThat(Main.commandLine().execute("export-inference", "--checkpoint", ckpt.toString(), "--output",
                onnx.toString())).isZero();
        assertThat(OnnxExternalData.locations(onnx)).containsExactly("policy.onnx.data");
        assertThat(Main.commandLine().execute("export-inference", "--checkpoint", ckpt.toString(), "--output",
                cut.toString(), "--outputs", "logps")).isZero();

        // (N=2, T=6): a 3-token prompt and a 3-token completion, one row right-padded.
        long[] ids = {10, 20, 30, 40, 50, 60, 11, 21, 31, 41, 4095, 4095};
        long[] attn = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        long[] comp = {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0};
        Batch batch = new Batch(1, 6, ids, attn, comp);
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts", "tiny-gpt2")); // the default --artifacts
        SessionConfig sc = SessionConfig.cpuDefaults();
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession policy = InferenceSession.open(env, sc, onnx);
             InferenceSession trained = InferenceSession.open(env, sc, art.file("inference_model.onnx"),
                     CheckpointWeights.overrides(env, sc, art, ckpt));
             InferenceSession start = InferenceSession.open(env, sc, art.file("inference_model.onnx"));
             InferenceSession logpsGraph = InferenceSession.open(env, sc, cut)) {
            assertThat(policy.inputNames()).containsExactly("input_ids", "attention_mask");
            assertThat(logpsGraph.inputNames()).containsExactly("input_ids", "attention_mask", "completion_mask");
            Map<String, Tensor> feeds = GraphFeeds.forReference(batch);
            Tensor mask = feeds.remove("completion_mask");
            float[] logits = run(policy, feeds, "logits"); // (N, T, V)
            assertThat(logits).containsExactly(run(trained, feeds, "logits")); // bit for bit: same graph, same weights
            assertThat(logits).isNotEqualTo(run(start, feeds, "logits"));
            feeds.put("completion_mask", mask);
            float[] logps = run(logpsGraph, feeds, "logps"); // (N)
            double[] want = LogitsReference.sequenceLogProbs(logits, ids, comp, 2, 6, 4096); // (N)
            for (int r = 0; r < 2; r++) {
                double sum = want[r];
                assertThat(logps[r]).isCloseTo((float) sum, within(1e-4f * Math.abs((float) sum)));
            }
            feeds.values().forEach(Tensor::close);
        }
        CheckpointStore.load(ckpt); // still intact after the export
    }

    @Test
    void logitsMixedWithEvalGraphOutputsFailNamingTheValidOnes() {
        Path out = tmp.resolve("run");
        assertThat(Main.commandLine().execute("train", "--max-steps", "1", "--batch-size", "4", "--output",
                out.toString(), "--cache-dir", tmp.resolve("cache").toString(), "--no-progress")).isZero();
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        Path onnx = tmp.resolve("p.onnx");
        assertThat(cl.execute("export-inference", "--checkpoint", out.resolve("checkpoints/step-000001").toString(),
                "--output", onnx.toString(), "--outputs", "logits,logps")).isNotZero();
        assertThat(err.toString()).contains("--outputs: expected logits alone",
                "[loss, logps, token_counts, logits_sum, pair_losses]", "found [logits, logps]");
        assertThat(onnx).doesNotExist();
    }

    private static float[] run(InferenceSession s, Map<String, Tensor> feeds, String output) {
        List<Tensor> outs = s.run(feeds, List.of(output));
        try {
            return outs.get(0).toFloats();
        } finally {
            outs.forEach(Tensor::close);
        }
    }

}
