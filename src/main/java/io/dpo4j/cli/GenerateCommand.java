package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.TokenizerSpec;
import io.dpo4j.generate.Generator;
import io.dpo4j.generate.KvCacheGenerator;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.generate.StopStrings;
import io.dpo4j.generate.TokenGenerator;
import io.dpo4j.generate.TrainedWeights;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.train.TrainDefaults;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dpo4j generate}: continue prompts with the starting weights or an exported, trained policy. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate completions for prompts (greedy by default). Uses the artifacts' KV-cache graph "
                + "(inference_kv_model.onnx: prompts batched, one position per step) when present; otherwise, and for "
                + "--model, re-runs the prefix every step.",
                "Sampling follows transformers: repetition penalty, temperature, top-k, top-p, then one seeded draw."},
        footer = {"", "Examples:",
                "  dpo4j generate --checkpoint runs/dpo/checkpoints/step-000150 --prompt 'Review: Great'",
                "  dpo4j generate --prompt $'Review: A quiet film about a family ...\\nHighlight:'",
                "  dpo4j generate --prompt 'Review: Great' --prompt 'Review: Dull' --temperature 0.8 --top-p 0.9 "
                        + "--num-samples 3 --seed 1",
                "  dpo4j export-inference --checkpoint runs/dpo/checkpoints/step-000150 --output runs/dpo/policy.onnx",
                "  dpo4j generate --model runs/dpo/policy.onnx --temperature 0.8 --top-k 40 --seed 1"})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory (tokenizer, special tokens). Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--cache-dir", defaultValue = TrainDefaults.CACHE_DIR,
            description = "Where the SHA-256 sums of large artifact and --checkpoint files are kept (sha256/), as "
                    + "train and eval keep them, so a 1B model's files are not reread at every call. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path cacheDir;

    @Option(names = "--model", description = "ONNX graph with a 'logits' output, e.g. a policy from export-inference "
            + "(no KV cache). Default: the artifacts' inference_kv_model.onnx, else inference_model.onnx (starting "
            + "weights).")
    Path model;

    @Option(names = "--prompt", defaultValue = "Review: I watched this film with my family last night ...\nHighlight:",
            description = "Prompt text; repeat for a batch of prompts. Default: an IMDb-style prompt like the embedded "
                    + "training data.")
    List<String> prompts;

    @Option(names = "--max-new-tokens", defaultValue = "32",
            description = "Tokens to generate at most per sequence (stops at EOS). Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0.0",
            description = "0 = greedy; > 0 samples from softmax(logits / temperature). Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens; 0 = all. "
            + "Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling: the most likely tokens whose "
            + "probabilities sum to at least p; 1 = all. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", description = "Divide positive / multiply negative "
            + "logits of tokens already in the sequence by this (transformers' definition); 1 = off. "
            + "Default: ${DEFAULT-VALUE}.")
    double repetitionPenalty;

    @Option(names = {"-n", "--num-samples"}, defaultValue = "1",
            description = "Sequences per prompt (sample j draws from seed + j). Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--stop", description = "Stop a sequence once its text contains this string; repeatable. "
            + "Default: none.")
    List<String> stop = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--kv-cache", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Use the artifacts' KV-cache graph when present; --no-kv-cache re-runs the prefix every "
                    + "step. Default: ${DEFAULT-VALUE}.")
    boolean kvCache;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Generate with the trained policy of this checkpoint (written by train from --artifacts): its "
                    + "parameters replace the starting weights of the artifacts' graphs, so the KV cache works for "
                    + "trained policies too. Not with --model. Default: none (starting weights).")
    Path checkpoint;

    @Mixin
    RuntimeOptions runtime;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        SamplingConfig sampling = new SamplingConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, samples,
                seed, stop);
        HashCache sums = HashCache.in(cacheDir);
        ArtifactSet art = ArtifactSet.load(artifacts, sums);
        TokenizerSpec spec = TokenizerSpec.from(art.manifest().specialTokens());
        boolean cached = model == null && kvCache && art.manifest().graphs().containsKey(KvCacheGenerator.GRAPH);
        Path graph = model != null ? model : art.file(cached ? KvCacheGenerator.GRAPH : "inference_model.onnx");
        int maxPositions = art.manifest().maxPositions();
        if (checkpoint != null && model != null) {
            throw new IllegalArgumentException("--checkpoint and --model: expected one of them (--model is a graph "
                    + "with its own weights), found both");
        }
        try (PairTokenizer tok = new PairTokenizer(art.file("tokenizer.json"), spec, DataOptions.defaults());
             OrtEnvironment env = OrtEnvironment.create("dpo4j-generate");
             InferenceSession session = InferenceSession.open(env, runtime.sessionConfig(seed), graph,
                     checkpoint == null ? Map.of()
                             : TrainedWeights.load(env, runtime.sessionConfig(seed), art, checkpoint, sums))) {
            TokenGenerator gen;
            if (cached) {
                int[] kv = KvCacheGenerator.cacheShape(art.manifest());
                gen = new KvCacheGenerator(session, kv[0], kv[1], spec.eosId(), maxPositions);
            } else {
                gen = new Generator(session, spec.eosId(), maxPositions);
            }
            List<long[]> ids = prompts.stream().map(tok::encodePrompt).toList();
            long start = System.nanoTime();
            List<long[]> out = gen.generate(ids, sampling, new StopStrings(stop, tok::decode));
            double seconds = (System.nanoTime() - start) / 1e9;
            int tokens = out.stream().mapToInt(o -> o.length).sum();
            PrintWriter stdout = command.commandLine().getOut();
            for (int r = 0; r < out.size(); r++) {
                if (out.size() > 1) {
                    stdout.println("--- prompt " + r / samples + ", sample " + r % samples);
                }
                stdout.println(prompts.get(r / samples) + tok.decode(out.get(r)));
            }
            stdout.flush();
            command.commandLine().getErr().printf(Locale.ROOT, "generate: %d tokens in %.3f s (%.1f tokens/s, %s)%n", tokens, seconds,
                    tokens / seconds, gen.method());
            command.commandLine().getErr().flush();
        }
        return 0;
    }
}
