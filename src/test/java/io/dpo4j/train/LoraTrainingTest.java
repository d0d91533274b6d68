package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.cli.Main;
import io.dpo4j.data.Batch;
import io.dpo4j.data.Collator;
import io.dpo4j.data.PreferencePair;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA artifact sets in the unchanged training path: the reference is the frozen base (reference_model.onnx), and
 * with the exported B = 0 the policy's step-1 log-probs equal the reference's bit for bit, although the reference
 * pass batches and pads the pairs differently; the trainable set, the checkpoint and the optimizer state are the
 * adapters only, and the base never moves.
 */
class LoraTrainingTest {
    @TempDir
    Path tmp;

    /** Pairs of different prompt / completion lengths with seeded token ids in the 4,096-token vocabulary. */
    private static List<TokenizedPair> pairs(int n) {
        SplittableRandom rnd = new SplittableRandom(11);
        List<TokenizedPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PreferencePair src = new PreferencePair("p" + i, "prompt", "a", "b", 1.0, 1.0, "test:" + i);
            out.add(new TokenizedPair(src, ids(rnd, 3 + i), ids(rnd, 2 + (i * 3) % 5), ids(rnd, 1 + (i * 2) % 6)));
        }
        return out;
    }

    private static long[] ids(SplittableRandom rnd, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = 5 + rnd.nextInt(4000);
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2-lora", "tiny-llama-lora"})
    void stepOnePolicyLogProbsEqualTheBaseReferenceBitForBit(String model) {
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts", model));
        LoraSection lora = art.manifest().lora();
        assertThat(lora).isNotNull();
        List<TokenizedPair> pairs = pairs(6);
        int pad = art.manifest().specialTokens().pad();
        SessionConfig sc = SessionConfig.cpuDefaults();
        try (OrtEnvironment env = OrtEnvironment.create("test")) {
            float[][] ref = reference(env, sc, art, pairs, pad, "first");
            try (TrainingSession s = CheckpointStore.openSession(env, sc, art, art.file("checkpoint"))) {
                assertThat(s.parameterCount(false)).isEqualTo(lora.numTrainable());
                assertThat(s.parameterCount(true)).isEqualTo(lora.numTrainable());
                Batch batch = Collator.collate(pairs, pad); // all 6 pairs in one batch: other padding than the pass
                int[] idx = {0, 1, 2, 3, 4, 5};
                LossInputs in = Evaluator.lossInputs(LossConfig.defaults(), pairs, idx, ref, 1f);
                StepOutputs train = step(s, batch, in, true);
                StepOutputs eval = step(s, batch, in, false);
                for (int i = 0; i < 6; i++) {
                    for (StepOutputs o : List.of(train, eval)) {
                        assertThat(Float.floatToRawIntBits(o.logps()[i])).as("chosen %d", i)
                                .isEqualTo(Float.floatToRawIntBits(ref[0][i]));
                        assertThat(Float.floatToRawIntBits(o.logps()[6 + i])).as("rejected %d", i)
                                .isEqualTo(Float.floatToRawIntBits(ref[1][i]));
                    }
                }
                assertThat(train.loss()).isEqualTo((float) Math.log(2)); // z = 0 for every pair
                s.setLearningRate(1e-2f);
                s.optimizerStep();
                s.lazyResetGrad();
                StepOutputs after = step(s, batch, in, false);
                assertThat(after.logps()).isNotEqualTo(eval.logps()); // the adapters moved
            }
            // the frozen base did not: a fresh reference pass gives the same bits
            float[][] again = reference(env, sc, art, pairs, pad, "second");
            assertThat(again[0]).isEqualTo(ref[0]);
            assertThat(again[1]).isEqualTo(ref[1]);
        }
    }

    private float[][] reference(OrtEnvironment env, SessionConfig sc, ArtifactSet art, List<TokenizedPair> pairs,
                                int pad, String cacheName) {
        try (InferenceSession rs = InferenceSession.open(env, sc, art.file("reference_model.onnx"))) {
            return ReferencePass.compute(rs, pairs, 4, pad, ReferenceCache.open(tmp.resolve(cacheName), "m", "d", "s"),
                    n -> { });
        }
    }

    private static StepOutputs step(TrainingSession s, Batch batch, LossInputs in, boolean train) {
        List<Tensor> feeds = GraphFeeds.forTraining(train ? s.trainingInputNames() : s.evalInputNames(), batch, in);
        try {
            return StepOutputs.run(s, feeds, batch.pairs(), train);
        } finally {
            feeds.forEach(Tensor::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2-lora", "tiny-llama-lora"})
    void trainRunsUnchangedAndCheckpointsHoldOnlyTheAdapters(String model) throws Exception {
        Path out = tmp.resolve("run");
        int code = Main.commandLine().execute("train", "--no-progress", "--artifacts", "artifacts/" + model,
                "--max-steps", "4", "--log-every", "1", "--batch-size", "4", "--lr", "1e-2", "--save-every", "2",
                "--output", out.toString(), "--cache-dir", tmp.resolve("cache").toString());
        assertThat(code).isZero();
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var first = json.readTree(lines.get(0));
        assertThat(first.get("rewards/margins").asDouble()).isEqualTo(0.0);
        assertThat(json.readTree(lines.get(3)).get("rewards/margins").asDouble()).isNotEqualTo(0.0);
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts", model));
        long adapters = art.manifest().lora().numTrainable();
        Path ckpt = out.resolve("checkpoints/step-000004");
        // parameters + two AdamW moments of the adapters, plus a few KB of flatbuffer; no base weights
        assertThat(Files.size(ckpt.resolve("checkpoint"))).isLessThan(3 * 4 * adapters + 16_384)
                .isLessThan(Files.size(art.file("weights.data")) / 10);
        try (OrtEnvironment env = OrtEnvironment.create("test");
             TrainingSession s = CheckpointStore.openSession(env, SessionConfig.cpuDefaults(), art,
                     CheckpointStore.verifiedOrtFile(ckpt))) {
            assertThat(s.parameterCount(false)).isEqualTo(adapters);
            LoraSection.Adapter a = art.manifest().lora().adapters().get(0);
            assertThat(s.parameter(a.loraB())).isNotEqualTo(new float[a.outFeatures() * art.manifest().lora().r()]);
        }
        // resume from step 2 reproduces step 4's checkpoint bit for bit
        Path again = tmp.resolve("again");
        Files.createDirectories(again.resolve("checkpoints"));
        copyTree(out.resolve("checkpoints/step-000002"), again.resolve("checkpoints/step-000002"));
        code = Main.commandLine().execute("train", "--no-progress", "--artifacts", "artifacts/" + model,
                "--max-steps", "4", "--log-every", "1", "--batch-size", "4", "--lr", "1e-2", "--save-every", "2",
                "--output", again.toString(), "--cache-dir", tmp.resolve("cache").toString(), "--resume", "latest");
        assertThat(code).isZero();
        assertThat(Files.readAllBytes(again.resolve("checkpoints/step-000004/checkpoint")))
                .isEqualTo(Files.readAllBytes(ckpt.resolve("checkpoint")));
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
