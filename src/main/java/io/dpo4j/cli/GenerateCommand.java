package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.TokenizerSpec;
import io.dpo4j.generate.Generator;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dpo4j generate}: continue a prompt with the starting weights or an exported, trained policy. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate a completion for a prompt (greedy by default; no KV cache, each step re-runs the prefix).",
        footer = {"", "Examples:",
                "  dpo4j generate --prompt $'Review: A quiet film about a family ...\\nHighlight:'",
                "  dpo4j export-inference --checkpoint runs/dpo/checkpoints/step-000150 --output runs/dpo/policy.onnx",
                "  dpo4j generate --model runs/dpo/policy.onnx --temperature 0.8 --top-k 40 --seed 1"})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory (tokenizer, special tokens). Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--model", description = "ONNX graph with a 'logits' output, e.g. a policy from export-inference. "
            + "Default: the artifacts' inference_model.onnx (starting weights).")
    Path model;

    @Option(names = "--prompt", defaultValue = "Review: I watched this film with my family last night ...\nHighlight:",
            description = "Prompt text. Default: an IMDb-style prompt like the embedded training data.")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "32",
            description = "Tokens to generate at most (stops at EOS). Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0.0",
            description = "0 = greedy; > 0 samples from softmax(logits / temperature). Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens; 0 = all. "
            + "Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() {
        SamplingConfig sampling = new SamplingConfig(maxNewTokens, temperature, topK, seed);
        ArtifactSet art = ArtifactSet.load(artifacts);
        TokenizerSpec spec = TokenizerSpec.from(art.manifest().specialTokens());
        Path graph = model != null ? model : art.file("inference_model.onnx");
        try (PairTokenizer tok = new PairTokenizer(art.file("tokenizer.json"), spec, DataOptions.defaults());
             OrtEnvironment env = OrtEnvironment.create("dpo4j-generate");
             InferenceSession session = InferenceSession.open(env, runtime.sessionConfig(seed), graph)) {
            long[] ids = tok.encodePrompt(prompt);
            long[] out = new Generator(session, spec.eosId(), art.manifest().maxPositions()).generate(ids, sampling);
            System.out.println(prompt + tok.decode(out));
        }
        return 0;
    }
}
