package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.artifacts.OnnxExternalData;
import io.dpo4j.data.Batch;
import io.dpo4j.hf.PeftAdapter;
import io.dpo4j.hf.Safetensors;
import io.dpo4j.hf.SafetensorsReader;
import io.dpo4j.lora.BaseWeights;
import io.dpo4j.lora.LoraMerge;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.train.CheckpointStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The LoRA commands on a trained tiny LoRA checkpoint: {@code export-inference --merge} (logits) and without it
 * ({@code --outputs logps}, the eval graph with the adapter branch kept) give the same log-probs (within 1e-5
 * relative), {@code export-inference} of logits without {@code --merge} fails naming it, {@code generate --checkpoint}
 * (merged weights on the KV graph) equal to the merged export token for token, {@code export-hf} = base with the adapters folded in, and {@code export-adapter} →
 * {@code train --init-adapter} → {@code export-adapter} returning the same bytes; wrong uses fail naming the option.
 */
class LoraCommandsTest {
    @TempDir
    Path tmp;

    private static String run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(args)).as(err.toString()).isZero();
        return out.toString();
    }

    private static String fail(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        assertThat(cl.execute(args)).isNotZero();
        return err.toString();
    }

    private Path data() throws Exception {
        List<String> rows = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 8; i++) {
            rows.add(json.writeValueAsString(Map.of("prompt", "The movie was", "chosen", " great fun.",
                    "rejected", " a bore.")));
        }
        return Files.write(tmp.resolve("prefs.jsonl"), rows);
    }

    private Path train(String art, String name, String lr, int steps, String... extra) throws Exception {
        Path runDir = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("train", "--no-progress", "--artifacts", art, "--data",
                data().toString(), "--eval-fraction", "0", "--max-steps", String.valueOf(steps), "--batch-size", "4",
                "--log-every", "1", "--lr", lr, "--output", runDir.toString(), "--cache-dir",
                tmp.resolve("cache").toString()));
        args.addAll(List.of(extra));
        run(args.toArray(String[]::new));
        return runDir.resolve(String.format("checkpoints/step-%06d", steps));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2-lora", "tiny-llama-lora"})
    void exportsAndGenerationAgreeOnTheTrainedPolicy(String model) throws Exception {
        String art = "artifacts/" + model;
        Path ckpt = train(art, "run", "5e-2", 10);
        Path kept = tmp.resolve("kept.onnx");
        Path merged = tmp.resolve("out/merged.onnx");
        run("export-inference", "--artifacts", art, "--checkpoint", ckpt.toString(), "--outputs", "logps",
                "--output", kept.toString());
        run("export-inference", "--artifacts", art, "--checkpoint", ckpt.toString(), "--merge", "--output",
                merged.toString());
        assertThat(OnnxExternalData.locations(kept)).containsExactly("kept.onnx.data");
        assertThat(OnnxExternalData.locations(merged)).containsExactly("merged.onnx.data");
        assertThat(Files.size(merged.resolveSibling("merged.onnx.data")))
                .isEqualTo(Files.size(Path.of(art, "weights.data")));

        long[] ids = {10, 20, 30, 40, 50, 60, 11, 21, 31, 41, 4095, 4095}; // (N=2, T=6)
        long[] attn = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        long[] comp = {0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0};
        float[] b = logits(merged, ids, attn);
        float[] base = logits(Path.of(art, "inference_model.onnx"), ids, attn);
        double moved = 0;
        for (int i = 0; i < b.length; i++) {
            if (attn[i / 4096] == 1) {
                moved = Math.max(moved, Math.abs(b[i] - base[i]));
            }
        }
        assertThat(moved).as("trained vs base").isGreaterThan(1e-3);
        // The merged weights' logits give the log-probs of the eval graph with the adapter branch kept.
        float[] a = logps(kept, ids, attn, comp); // (N)
        double[] want = LogitsReference.sequenceLogProbs(b, ids, comp, 2, 6, 4096); // (N)
        for (int r = 0; r < 2; r++) {
            double sum = want[r];
            assertThat((double) a[r]).as("merged vs adapter branch, row " + r)
                    .isCloseTo(sum, org.assertj.core.api.Assertions.within(1e-5 * Math.max(1, Math.abs(sum))));
        }
        assertThat(fail("export-inference", "--artifacts", art, "--checkpoint", ckpt.toString(), "--output",
                tmp.resolve("x.onnx").toString())).contains("--outputs logits on LoRA artifacts: expected --merge",
                "[loss, logps, token_counts, logits_sum, pair_losses]");

        String[] common = {"--artifacts", art, "--prompt", "The movie was", "--max-new-tokens", "12"};
        String kv = run(concat(new String[] {"generate", "--checkpoint", ckpt.toString()}, common));
        assertThat(kv).isEqualTo(run(concat(new String[] {"generate", "--model", merged.toString()}, common)));
        assertThat(kv).isNotEqualTo(run(concat(new String[] {"generate"}, common)));
    }

    private static float[] logps(Path onnx, long[] ids, long[] attn, long[] comp) {
        Batch batch = new Batch(1, 6, ids, attn, comp);
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession s = InferenceSession.open(env, SessionConfig.cpuDefaults(), onnx)) {
            Map<String, Tensor> feeds = io.dpo4j.train.GraphFeeds.forReference(batch);
            List<Tensor> outs = s.run(feeds, List.of("logps"));
            try {
                return outs.get(0).toFloats(); // (N)
            } finally {
                outs.forEach(Tensor::close);
                feeds.values().forEach(Tensor::close);
            }
        }
    }

    private static float[] logits(Path onnx, long[] ids, long[] attn) {
        Batch batch = new Batch(1, 6, ids, attn, new long[ids.length]);
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession s = InferenceSession.open(env, SessionConfig.cpuDefaults(), onnx)) {
            Map<String, Tensor> feeds = new java.util.LinkedHashMap<>(io.dpo4j.train.GraphFeeds.forReference(batch));
            feeds.remove("completion_mask").close();
            List<Tensor> outs = s.run(feeds, List.of("logits"));
            try {
                return outs.get(0).toFloats(); // (N, T, V)
            } finally {
                outs.forEach(Tensor::close);
                feeds.values().forEach(Tensor::close);
            }
        }
    }

    @Test
    void exportHfIsTheBaseWithTheAdaptersFoldedIn() throws Exception {
        String art = "artifacts/tiny-gpt2-lora";
        Path ckpt = train(art, "run", "5e-2", 3);
        Path hf = tmp.resolve("hf");
        run("export-hf", "--artifacts", art, "--checkpoint", ckpt.toString(), "--output", hf.toString());
        Map<String, Safetensors.Tensor> written = SafetensorsReader.read(hf.resolve("model.safetensors"), 1L << 30);
        ArtifactSet set = ArtifactSet.load(Path.of(art));
        LoraSection lora = set.manifest().lora();
        assertThat(written.keySet()).containsExactlyElementsOf(
                set.manifest().parameters().stream().map(io.dpo4j.artifacts.Manifest.Parameter::name).toList());
        Set<String> adapted = new java.util.HashSet<>();
        try (OrtEnvironment env = OrtEnvironment.create("test");
             TrainingSession s = CheckpointStore.openSession(env, SessionConfig.cpuDefaults(), set,
                     CheckpointStore.verifiedOrtFile(ckpt));
             BaseWeights base = BaseWeights.open(set)) {
            for (LoraSection.Adapter a : lora.adapters()) {
                adapted.add(a.base());
                float[] want = LoraMerge.merge(base.read(a.base()), s.parameter(a.loraA()), s.parameter(a.loraB()), a,
                        lora.r(), lora.scaling());
                assertThat(written.get(a.base()).values()).isEqualTo(want).isNotEqualTo(base.read(a.base()));
            }
            for (String name : written.keySet()) {
                if (!adapted.contains(name)) {
                    assertThat(written.get(name).values()).as(name).isEqualTo(base.read(name));
                }
            }
        }
    }

    @Test
    void exportedAdapterRoundTripsThroughInitAdapter() throws Exception {
        String art = "artifacts/tiny-llama-lora";
        Path ckpt = train(art, "run", "5e-2", 3);
        Path adapter = tmp.resolve("adapter");
        run("export-adapter", "--artifacts", art, "--checkpoint", ckpt.toString(), "--output", adapter.toString());
        var config = new ObjectMapper().readTree(adapter.resolve(PeftAdapter.CONFIG).toFile());
        assertThat(config.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(config.get("r").asInt()).isEqualTo(8);
        assertThat(config.get("lora_alpha").asInt()).isEqualTo(32);
        assertThat(config.get("target_modules").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");
        Map<String, Safetensors.Tensor> t = SafetensorsReader.read(adapter.resolve(PeftAdapter.WEIGHTS), 1L << 24);
        assertThat(t).containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        assertThat(t.get("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight").shape())
                .containsExactly(32, 8); // (out, r): 2 KV heads x 16

        // Start a new run from it; at lr 1e-30 the Adam step moves nothing, so exporting again gives the same bytes,
        // and its first step already differs from the reference (the imported adapters act).
        Path again = train(art, "again", "1e-30", 1, "--init-adapter", adapter.toString());
        var first = new ObjectMapper().readTree(Files.readAllLines(tmp.resolve("again/metrics.jsonl")).get(0));
        assertThat(first.get("rewards/margins").asDouble()).isNotEqualTo(0.0);
        Path adapter2 = tmp.resolve("adapter2");
        run("export-adapter", "--artifacts", art, "--checkpoint", again.toString(), "--output", adapter2.toString());
        assertThat(Files.readAllBytes(adapter2.resolve(PeftAdapter.WEIGHTS)))
                .isEqualTo(Files.readAllBytes(adapter.resolve(PeftAdapter.WEIGHTS)));
    }

    @Test
    void aRoundFromALoraCheckpointStartsAtATie() throws Exception {
        // --init-from and --reference-from the same LoRA checkpoint: the policy runs the adapter branch, the reference
        // reference_model.onnx with the adapters merged into the base weights; step 1 reads as a tie
        Path ckpt = train("artifacts/tiny-llama-lora", "run", "5e-2", 3);
        train("artifacts/tiny-llama-lora", "round", "5e-2", 1, "--init-from", ckpt.toString(), "--reference-from",
                ckpt.toString());
        var first = new ObjectMapper().readTree(Files.readAllLines(tmp.resolve("round/metrics.jsonl")).get(0));
        assertThat(first.get("rewards/margins").asDouble()).isEqualTo(0.0);
        assertThat(first.get("loss").asDouble()).isCloseTo(Math.log(2), org.assertj.core.api.Assertions.within(1e-6));
        var base = new ObjectMapper().readTree(Files.readAllLines(tmp.resolve("run/metrics.jsonl")).get(0));
        assertThat(first.get("logps/chosen").asDouble()).isNotEqualTo(base.get("logps/chosen").asDouble());
    }

    @Test
    void wrongUsesFailNamingTheOption() throws Exception {
        Path ckpt = train("artifacts/tiny-gpt2", "full", "1e-2", 1);
        assertThat(fail("export-inference", "--artifacts", "artifacts/tiny-gpt2", "--checkpoint", ckpt.toString(),
                "--merge", "--output", tmp.resolve("m.onnx").toString())).contains("--merge: expected LoRA artifacts");
        assertThat(fail("export-adapter", "--artifacts", "artifacts/tiny-gpt2", "--checkpoint", ckpt.toString(),
                "--output", tmp.resolve("a").toString())).contains("expected LoRA artifacts");
        Path lora = train("artifacts/tiny-gpt2-lora", "lora", "1e-2", 1);
        Path adapter = tmp.resolve("adapter");
        run("export-adapter", "--artifacts", "artifacts/tiny-gpt2-lora", "--checkpoint", lora.toString(), "--output",
                adapter.toString());
        assertThat(fail("train", "--no-progress", "--artifacts", "artifacts/tiny-gpt2", "--init-adapter",
                adapter.toString(), "--max-steps", "1", "--output", tmp.resolve("x").toString()))
                .contains("--init-adapter", "expected LoRA artifacts");
        assertThat(fail("train", "--no-progress", "--artifacts", "artifacts/tiny-llama-lora", "--init-adapter",
                adapter.toString(), "--max-steps", "1", "--output", tmp.resolve("y").toString()))
                .contains("--init-adapter", "expected the artifacts' 8 adapter tensors");
        assertThat(fail("train", "--no-progress", "--artifacts", "artifacts/tiny-gpt2-lora", "--init-adapter",
                adapter.toString(), "--init-from", lora.toString(), "--max-steps", "1", "--output",
                tmp.resolve("w").toString())).contains("--init-adapter: expected no --init-from beside it");
        Path cfg = adapter.resolve(PeftAdapter.CONFIG);
        Files.writeString(cfg, Files.readString(cfg).replace("\"r\" : 8", "\"r\" : 4"));
        assertThat(fail("train", "--no-progress", "--artifacts", "artifacts/tiny-gpt2-lora", "--init-adapter",
                adapter.toString(), "--max-steps", "1", "--output", tmp.resolve("z").toString()))
                .contains("field 'r': expected the artifacts' rank 8, found 4");
        assertThat(fail("export-inference", "--artifacts", "artifacts/tiny-gpt2-lora", "--checkpoint",
                lora.toString(), "--merge", "--outputs", "logits,logps", "--output", tmp.resolve("q.onnx").toString()))
                .contains("--merge --outputs: expected logits");
        assertThat(fail("export-inference", "--artifacts", "artifacts/tiny-gpt2-lora", "--checkpoint",
                lora.toString(), "--merge", "--output", "artifacts/tiny-gpt2-lora/weights")).contains("same file");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
