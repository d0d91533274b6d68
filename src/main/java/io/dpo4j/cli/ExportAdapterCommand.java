package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.hf.PeftAdapter;
import io.dpo4j.lora.BaseWeights;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.train.CheckpointStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dpo4j export-adapter}: a LoRA checkpoint's adapters as a PEFT adapter directory. */
@Command(name = "export-adapter", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write the LoRA adapters of a checkpoint as a PEFT directory (adapter_config.json, "
                + "adapter_model.safetensors) that peft.PeftModel.from_pretrained loads onto the base model.",
        footer = {"", "Examples:",
                "  dpo4j export-adapter --artifacts artifacts/tiny-llama-lora --checkpoint runs/lora/checkpoints/step-000100 --output runs/lora/adapter",
                "  dpo4j train --artifacts artifacts/tiny-llama-lora --init-adapter runs/lora/adapter   # continue from it"})
final class ExportAdapterCommand implements Callable<Integer> {
    @Option(names = "--artifacts", required = true,
            description = "LoRA artifact directory the checkpoint was trained from (tools/export/export.py --lora-r) "
                    + "(required).")
    Path artifacts;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory written by train (required).")
    Path checkpoint;

    @Option(names = "--output", defaultValue = "runs/dpo/adapter",
            description = "Directory to create (new or empty). Default: ${DEFAULT-VALUE}.")
    Path output;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() {
        ArtifactSet art = ArtifactSet.load(artifacts);
        BaseWeights.requireLora(art);
        Path ortFile = CheckpointStore.verifiedOrtFile(checkpoint);
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-export-adapter");
             TrainingSession s = CheckpointStore.openForReading(env, runtime.sessionConfig(0), art, ortFile)) {
            PeftAdapter.write(art, s, output);
        }
        System.out.println("wrote " + output + " (" + PeftAdapter.CONFIG + ", " + PeftAdapter.WEIGHTS + ")");
        return 0;
    }
}
