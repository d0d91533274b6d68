package io.dpo4j.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.lora.BaseWeights;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.util.ConfinedPath;
import io.dpo4j.util.Files2;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * PEFT's LoRA adapter directory: {@code adapter_config.json} and {@code adapter_model.safetensors} whose tensors are
 * named {@code base_model.model.<module>.lora_A.weight} (r, in) and {@code ...lora_B.weight} (out, r), as
 * {@code PeftModel.save_pretrained} writes them and {@code PeftModel.from_pretrained} loads them. {@link #write}
 * exports a LoRA session's adapters ({@code dpo4j export-adapter}); {@link #read} imports an existing adapter as the
 * starting point of training ({@code dpo4j train --init-adapter}).
 */
public final class PeftAdapter {
    /** The adapter configuration file. */
    public static final String CONFIG = "adapter_config.json";
    /** The adapter weights file. */
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** Prefix of every tensor name in the weights file (PeftModelForCausalLM's). */
    public static final String PREFIX = "base_model.model.";

    /**
     * An imported adapter.
     *
     * @param values adapter parameter name (as in the artifacts) → values, row-major
     * @param notes  settings that differ harmlessly from the artifacts' (e.g. the dropout), one line each
     * @param sha256 checksum over both files, for the run's fingerprint
     */
    public record Imported(Map<String, float[]> values, List<String> notes, String sha256) {}

    private PeftAdapter() {}

    /**
     * Writes the session's adapters as a PEFT directory (temporary sibling, renamed into place).
     *
     * @param art    a LoRA artifact set
     * @param s      a session of the set holding trained adapters
     * @param output directory to create (new or empty)
     */
    public static void write(ArtifactSet art, TrainingSession s, Path output) {
        LoraSection lora = BaseWeights.requireLora(art);
        HfExport.requireFreshOutput(output);
        List<Safetensors.Tensor> tensors = new ArrayList<>();
        for (LoraSection.Adapter a : lora.adapters()) {
            tensors.add(new Safetensors.Tensor(PREFIX + a.loraA(), new long[] {lora.r(), a.inFeatures()},
                    s.parameter(a.loraA())));
            tensors.add(new Safetensors.Tensor(PREFIX + a.loraB(), new long[] {a.outFeatures(), lora.r()},
                    s.parameter(a.loraB())));
        }
        Files2.writeDirectoryAtomically(output, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.resolve(WEIGHTS)))) {
                Safetensors.write(out, tensors);
            }
            Files2.JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(CONFIG).toFile(), config(lora));
        });
    }

    /** PEFT 0.13's LoraConfig fields for the artifacts' adapters (the rest at PEFT's defaults). */
    static ObjectNode config(LoraSection lora) {
        ObjectNode c = Files2.JSON.createObjectNode();
        c.putNull("base_model_name_or_path");
        c.put("bias", "none");
        c.put("fan_in_fan_out", lora.adapters().stream().anyMatch(LoraSection.Adapter::fanInFanOut));
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("layers_pattern");
        c.putNull("layers_to_transform");
        if (lora.alpha() == Math.rint(lora.alpha()) && Math.abs(lora.alpha()) < 1e9) {
            c.put("lora_alpha", (long) lora.alpha());
        } else {
            c.put("lora_alpha", lora.alpha());
        }
        c.put("lora_dropout", lora.dropout());
        c.putNull("modules_to_save");
        c.put("peft_type", "LORA");
        c.put("r", lora.r());
        c.putObject("rank_pattern");
        c.putObject("alpha_pattern");
        c.putNull("revision");
        var targets = c.putArray("target_modules");
        lora.targetModules().forEach(targets::add);
        c.put("task_type", "CAUSAL_LM");
        c.put("use_dora", false);
        c.put("use_rslora", false);
        return c;
    }

    /**
     * Reads a PEFT LoRA directory for the artifacts' adapters: {@code r} and {@code lora_alpha} must equal the
     * artifacts', the weights must hold exactly the artifacts' adapters with their shapes, and features dpo4j's graph
     * does not have (rsLoRA, DoRA, trained biases, extra modules, per-module ranks) are refused.
     *
     * @throws IllegalArgumentException naming the file and field with expected vs found
     */
    public static Imported read(Path dir, LoraSection lora, String option) {
        Path configFile = file(dir, CONFIG, option);
        Path weightsFile = file(dir, WEIGHTS, option);
        JsonNode c;
        try {
            c = Files2.JSON.readTree(Files.readAllBytes(configFile));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": " + configFile + ": expected JSON, found " + e.getMessage());
        }
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException(option + ": " + configFile + ": expected a JSON object");
        }
        List<String> notes = new ArrayList<>();
        expect(configFile, c, "peft_type", "LORA", true);
        if (c.path("r").asInt(-1) != lora.r()) {
            throw field(configFile, "r", "the artifacts' rank " + lora.r(), c.path("r").toString());
        }
        if (!c.path("lora_alpha").isNumber() || c.path("lora_alpha").asDouble() != lora.alpha()) {
            throw field(configFile, "lora_alpha", "the artifacts' alpha " + lora.alpha(), c.path("lora_alpha").toString());
        }
        for (String flag : List.of("use_rslora", "use_dora")) {
            if (c.path(flag).asBoolean(false)) {
                throw field(configFile, flag, "false (dpo4j's graph scales by alpha / r without DoRA)", "true");
            }
        }
        expect(configFile, c, "bias", "none", false);
        for (String empty : List.of("modules_to_save", "rank_pattern", "alpha_pattern", "layers_to_transform")) {
            JsonNode v = c.path(empty);
            if (!(v.isMissingNode() || v.isNull() || (v.isContainerNode() && v.isEmpty()))) {
                throw field(configFile, empty, "null or empty (not supported by the artifacts)", v.toString());
            }
        }
        if (c.has("lora_dropout") && c.path("lora_dropout").asDouble() != lora.dropout()) {
            notes.add(configFile + ": lora_dropout " + c.path("lora_dropout") + " differs from the artifacts' "
                    + lora.dropout() + "; training uses the artifacts' (the dropout is part of the training graph)");
        }
        long limit = 16L * lora.numTrainable() + (1L << 20);
        Map<String, Safetensors.Tensor> tensors = SafetensorsReader.read(weightsFile, limit);
        Map<String, float[]> values = new LinkedHashMap<>();
        Set<String> expected = new TreeSet<>();
        for (LoraSection.Adapter a : lora.adapters()) {
            expected.add(PREFIX + a.loraA());
            expected.add(PREFIX + a.loraB());
        }
        Set<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(expected);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(tensors.keySet());
        if (!unexpected.isEmpty() || !missing.isEmpty()) {
            throw new IllegalArgumentException(option + ": " + weightsFile + ": expected the artifacts' "
                    + expected.size() + " adapter tensors (target_modules " + lora.targetModules() + "), found "
                    + (missing.isEmpty() ? "" : "no " + first(missing) + " ") + (unexpected.isEmpty() ? ""
                    : "unexpected " + first(unexpected)));
        }
        for (LoraSection.Adapter a : lora.adapters()) {
            values.put(a.loraA(), shaped(weightsFile, tensors.get(PREFIX + a.loraA()), lora.r(), a.inFeatures()));
            values.put(a.loraB(), shaped(weightsFile, tensors.get(PREFIX + a.loraB()), a.outFeatures(), lora.r()));
        }
        String sum = Files2.sha256((Files2.sha256(configFile) + Files2.sha256(weightsFile))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Imported(values, notes, sum);
    }

    private static float[] shaped(Path file, Safetensors.Tensor t, long rows, long cols) {
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new IllegalArgumentException(file + ": tensor '" + t.name() + "': expected shape [" + rows + ", "
                    + cols + "], found " + java.util.Arrays.toString(s));
        }
        return t.values();
    }

    private static Path file(Path dir, String name, String option) {
        try {
            return ConfinedPath.resolve(dir, name).path();
        } catch (ConfinedPath.Violation v) {
            throw new IllegalArgumentException(option + " " + dir + ": expected a PEFT adapter directory with "
                    + CONFIG + " and " + WEIGHTS + ", found " + (v.missing() ? "no " + name : name + ": " + v.getMessage()));
        }
    }

    private static void expect(Path file, JsonNode c, String key, String want, boolean required) {
        JsonNode v = c.path(key);
        if ((required || !v.isMissingNode() && !v.isNull()) && !want.equals(v.asText(null))) {
            throw field(file, key, "'" + want + "'", v.isMissingNode() ? "nothing" : v.toString());
        }
    }

    private static IllegalArgumentException field(Path file, String key, String expected, String found) {
        return new IllegalArgumentException(file + ": field '" + key + "': expected " + expected + ", found " + found);
    }

    private static String first(Set<String> names) {
        return names.stream().limit(3).toList() + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "");
    }
}
