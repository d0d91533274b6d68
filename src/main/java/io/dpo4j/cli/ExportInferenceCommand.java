package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.GraphContract;
import io.dpo4j.artifacts.InferenceGraphCopy;
import io.dpo4j.artifacts.Manifest;
import io.dpo4j.lora.LoraInferenceExport;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.train.CheckpointStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dpo4j export-inference}: a trained checkpoint as a plain ONNX inference model. {@code --outputs logits} (the
 * default) writes the artifacts' {@code inference_model.onnx} with the checkpoint's weights ({@link InferenceGraphCopy});
 * other output lists cut the eval graph with ORT's ExportModelForInferencing. The eval graph runs the LM head only at
 * completion positions, so it holds no (N, T, V) logits to cut.
 */
@Command(name = "export-inference", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export the policy of a checkpoint as an ONNX inference model with the trained weights baked in.",
                "--outputs logits (default): the artifacts' inference_model.onnx (inputs input_ids, attention_mask; "
                        + "output logits) with the trained weights in <output>.data beside it. Other --outputs: the "
                        + "eval graph cut at those values (loss, logps, token_counts, logits_sum, pair_losses).",
                "LoRA artifacts: logits need --merge, which folds the adapters into the base weights (the base "
                        + "model's graph, no adapter branch); eval-graph outputs keep the adapter branch, with the "
                        + "base weights in <output>.data."},
        footer = {"", "Examples:",
                "  dpo4j export-inference --checkpoint runs/dpo/checkpoints/step-000150 --output policy.onnx",
                "  dpo4j export-inference --checkpoint ckpt --outputs logps --output policy-logps.onnx",
                "  dpo4j export-inference --artifacts artifacts/tiny-llama-lora --checkpoint ckpt --merge --output merged.onnx"})
final class ExportInferenceCommand implements Callable<Integer> {
    private static final String LOGITS = GraphContract.INFERENCE_OUTPUTS.get(0);

    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory the checkpoint was trained from. Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory written by train (required).")
    Path checkpoint;

    @Option(names = "--output", defaultValue = "runs/dpo/policy.onnx", description = "ONNX file to write. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--outputs", defaultValue = "logits", split = ",",
            description = "logits alone (the inference graph), or eval-graph values to keep as outputs (comma "
                    + "separated). Default: ${DEFAULT-VALUE}.")
    List<String> outputs;

    @Option(names = "--merge", defaultValue = "false",
            description = "LoRA artifacts only: fold the adapters into the base weights (W + alpha/r * B A) and write "
                    + "the base inference graph (output logits) with them in <output>.data. Default: ${DEFAULT-VALUE}.")
    boolean merge;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        ArtifactSet art = ArtifactSet.load(artifacts);
        boolean lora = art.manifest().isLora();
        if (merge && !lora) {
            throw new IllegalArgumentException("--merge: expected LoRA artifacts (manifest.json field 'lora'), found "
                    + artifacts + ", which trains every weight (its checkpoint already is the merged policy; drop --merge)");
        }
        if (merge && !outputs.equals(List.of("logits"))) {
            throw new IllegalArgumentException("--merge --outputs: expected logits (the merged graph is the base's "
                    + "inference_model.onnx), found " + outputs);
        }
        boolean logits = outputs.contains(LOGITS);
        if (logits && outputs.size() > 1) {
            throw new IllegalArgumentException("--outputs: expected " + LOGITS + " alone (the artifacts' "
                    + InferenceGraphCopy.GRAPH + " with the trained weights) or eval-graph outputs of "
                    + GraphContract.TRAIN_OUTPUTS + ", found " + outputs + " (the eval graph runs the LM head only at "
                    + "completion positions and holds no (N, T, V) logits; export the two in separate files)");
        }
        if (logits && lora && !merge) {
            throw new IllegalArgumentException("--outputs " + LOGITS + " on LoRA artifacts: expected --merge (the "
                    + "adapters folded into the base's " + InferenceGraphCopy.GRAPH + "), found none; the eval graph "
                    + "runs the LM head only at completion positions and holds no (N, T, V) logits to cut with the "
                    + "adapter branch kept. Without --merge, valid --outputs are " + GraphContract.TRAIN_OUTPUTS);
        }
        List<String> params = art.manifest().parameters().stream().map(Manifest.Parameter::name).toList();
        if (logits && !lora && params.isEmpty()) {
            throw new IllegalArgumentException(art.dir().resolve("manifest.json") + ": field 'parameters': expected "
                    + "the model's parameter names and shapes for --outputs " + LOGITS + ", found none; re-export the "
                    + "artifacts with tools/export/export.py");
        }
        Path ortFile = CheckpointStore.verifiedOrtFile(checkpoint);
        SessionConfig sc = runtime.sessionConfig(0);
        java.nio.file.Files.createDirectories(output.toAbsolutePath().getParent());
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-export");
             TrainingSession s = CheckpointStore.openForReading(env, sc, art, ortFile)) {
            if (merge) {
                LoraInferenceExport.merged(art, s, output);
            } else if (logits) {
                InferenceGraphCopy.write(art, params, s::parameter, output);
            } else if (lora) {
                LoraInferenceExport.unmerged(art, s, output, outputs);
            } else {
                s.exportForInference(output, outputs);
            }
        }
        boolean withData = lora || logits;
        System.out.println("wrote " + output + (withData ? " and " + InferenceGraphCopy.dataFile(output) : "")
                + " (outputs " + outputs + (merge ? ", adapters merged" : lora ? ", adapters kept" : "") + ")");
        return 0;
    }
}
