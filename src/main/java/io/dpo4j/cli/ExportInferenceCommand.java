package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
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

/** {@code dpo4j export-inference}: a trained checkpoint as a plain ONNX inference model (ORT's ExportModelForInferencing). */
@Command(name = "export-inference", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export the policy of a checkpoint as an ONNX inference model with the trained weights baked in.",
                "LoRA artifacts: the graph is written with its weights in <output>.data beside it; --merge folds the "
                        + "adapters into the base weights (the base model's graph, no adapter branch)."},
        footer = {"", "Examples:",
                "  dpo4j export-inference --checkpoint runs/dpo/checkpoints/step-000150 --output policy.onnx",
                "  dpo4j export-inference --checkpoint ckpt --outputs logits --output policy-logits.onnx",
                "  dpo4j export-inference --artifacts artifacts/tiny-llama-lora --checkpoint ckpt --merge --output merged.onnx"})
final class ExportInferenceCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory the checkpoint was trained from. Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory written by train (required).")
    Path checkpoint;

    @Option(names = "--output", defaultValue = "runs/dpo/policy.onnx", description = "ONNX file to write. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--outputs", defaultValue = "logits", split = ",",
            description = "Eval-graph values to keep as outputs (comma separated). Default: ${DEFAULT-VALUE}.")
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
        Path ortFile = CheckpointStore.verifiedOrtFile(checkpoint);
        SessionConfig sc = runtime.sessionConfig(0);
        java.nio.file.Files.createDirectories(output.toAbsolutePath().getParent());
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-export");
             TrainingSession s = CheckpointStore.openSession(env, sc, art, ortFile)) {
            if (merge) {
                LoraInferenceExport.merged(art, s, output);
            } else if (lora) {
                LoraInferenceExport.unmerged(art, s, output, outputs);
            } else {
                s.exportForInference(output, outputs);
            }
        }
        System.out.println("wrote " + output + (lora ? " and " + LoraInferenceExport.dataFile(output) : "")
                + " (outputs " + outputs + (merge ? ", adapters merged" : lora ? ", adapters kept" : "") + ")");
        return 0;
    }
}
