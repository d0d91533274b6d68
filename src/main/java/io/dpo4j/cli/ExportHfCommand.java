package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.hf.HfExport;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.train.CheckpointStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dpo4j export-hf}: a trained checkpoint as a Hugging Face model directory. */
@Command(name = "export-hf", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write the policy of a checkpoint as a Hugging Face directory (config.json, model.safetensors, "
                + "tokenizer files) that transformers' AutoModelForCausalLM.from_pretrained loads.",
        footer = {"", "Examples:",
                "  dpo4j export-hf --checkpoint runs/dpo/checkpoints/step-000150 --output runs/dpo/hf",
                "  dpo4j export-hf --artifacts artifacts/tiny-llama --checkpoint ckpt --output hf-model"})
final class ExportHfCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory the checkpoint was trained from. Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory written by train (required).")
    Path checkpoint;

    @Option(names = "--output", defaultValue = "runs/dpo/hf",
            description = "Directory to create (new or empty). Default: ${DEFAULT-VALUE}.")
    Path output;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() {
        ArtifactSet art = ArtifactSet.load(artifacts);
        Path ortFile = CheckpointStore.verifiedOrtFile(checkpoint);
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-export-hf");
             TrainingSession s = CheckpointStore.openForReading(env, runtime.sessionConfig(0), art, ortFile)) {
            HfExport.write(art, s, output);
        }
        System.out.println("wrote " + output + " (model.safetensors, config.json, tokenizer files)");
        return 0;
    }
}
