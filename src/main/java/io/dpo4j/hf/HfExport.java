package io.dpo4j.hf;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.Manifest;
import io.dpo4j.lora.BaseWeights;
import io.dpo4j.lora.MergedWeights;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face model directory from a training session's current parameters: {@code model.safetensors}
 * (every tensor under its HF name, from the manifest's {@code parameters}), the artifacts' {@code config.json} and
 * tokenizer files. For a LoRA set the tensors are the base weights with the session's adapters folded in
 * ({@link MergedWeights}), so the directory is the merged model. The directory is built under a temporary sibling and
 * renamed into place.
 */
public final class HfExport {
    /** Files copied from the artifact directory when present. */
    static final List<String> COPIED = List.of("config.json", "tokenizer.json", "tokenizer_config.json");

    private HfExport() {}

    /**
     * @param art    the artifacts the session was trained from (names, shapes, config and tokenizer)
     * @param s      a session holding the trained parameters
     * @param output directory to create (must not exist, or be an empty directory)
     */
    public static void write(ArtifactSet art, TrainingSession s, Path output) {
        List<Manifest.Parameter> params = art.manifest().parameters();
        if (params.isEmpty()) {
            throw new IllegalArgumentException(art.dir().resolve("manifest.json") + ": field 'parameters': expected "
                    + "the model's parameter names and shapes (written by tools/export/export.py since export-hf "
                    + "exists), found none; re-export the artifacts");
        }
        requireFreshOutput(output);
        boolean lora = art.manifest().isLora();
        Files2.writeDirectoryAtomically(output, tmp -> {
            List<Safetensors.Tensor> tensors = new ArrayList<>();
            Map<String, float[]> merged = lora ? MergedWeights.of(art, s) : Map.of();
            try (BaseWeights base = lora ? BaseWeights.open(art) : null) {
                for (Manifest.Parameter p : params) {
                    long[] shape = p.shape().stream().mapToLong(Long::longValue).toArray();
                    float[] values = merged.containsKey(p.name()) ? merged.get(p.name())
                            : lora ? base.read(p.name()) : s.parameter(p.name());
                    tensors.add(new Safetensors.Tensor(p.name(), shape, values));
                }
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.resolve("model.safetensors")))) {
                Safetensors.write(out, tensors);
            }
            for (String f : COPIED) {
                if (art.manifest().files().containsKey(f)) {
                    Files.copy(art.file(f), tmp.resolve(f));
                }
            }
        });
    }

    /** Fails unless {@code output} is absent or an empty directory. */
    static void requireFreshOutput(Path output) {
        if (Files.isRegularFile(output)) {
            throw new IllegalArgumentException("--output " + output + ": expected a new or empty directory, found a file");
        }
        if (!Files.isDirectory(output)) {
            return;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(output)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("--output " + output + ": expected a new or empty directory, found "
                        + "a directory with files in it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + output + ": " + IoReason.of(e), e);
        }
    }
}
