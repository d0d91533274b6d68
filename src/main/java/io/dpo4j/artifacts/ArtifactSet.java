package io.dpo4j.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * A validated artifact directory: every file present, every checksum equal to the manifest's, graph names as the
 * contract requires, and a tokenizer whose ids fit the model's vocabulary. Validation happens once, in
 * {@link #load(Path)}, before any native session is created.
 *
 * @param dir      the directory
 * @param manifest its parsed manifest
 */
public record ArtifactSet(Path dir, Manifest manifest) {

    /**
     * Loads and validates {@code dir}.
     *
     * @throws ArtifactException naming the file and what was expected vs found
     */
    public static ArtifactSet load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ArtifactException("artifact directory " + dir + " does not exist (export one with tools/export.py)");
        }
        Path manifestFile = dir.resolve("manifest.json");
        if (!Files.isRegularFile(manifestFile)) {
            throw new ArtifactException(manifestFile + " is missing: not an artifact directory written by tools/export.py");
        }
        Manifest manifest;
        try {
            manifest = Files2.JSON.readValue(manifestFile.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new ArtifactException(manifestFile + ": cannot parse: " + e.getMessage(), e);
        }
        ArtifactSet set = new ArtifactSet(dir, manifest);
        set.verifyFiles();
        set.verifyGraphs();
        set.verifyTokenizer();
        return set;
    }

    /** @return the path of a file of the set */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** @return the manifest's SHA-256 of a file (used as a cache key) */
    public String checksum(String name) {
        String sum = manifest.files().get(name);
        if (sum == null) {
            throw new ArtifactException(dir.resolve("manifest.json") + ": no checksum for " + name);
        }
        return sum;
    }

    private void verifyFiles() {
        for (String required : GraphContract.REQUIRED_FILES) {
            if (!manifest.files().containsKey(required)) {
                throw new ArtifactException(dir.resolve("manifest.json") + ": field 'files' lacks " + required);
            }
        }
        for (Map.Entry<String, String> e : manifest.files().entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                throw new ArtifactException("missing artifact file " + f + " (listed in manifest.json)");
            }
            String found = Files2.sha256(f);
            if (!found.equalsIgnoreCase(e.getValue())) {
                throw new ArtifactException("checksum mismatch for " + f + ": manifest.json expects sha256 "
                        + e.getValue() + ", file has " + found + " (file modified or truncated; re-export)");
            }
        }
    }

    private void verifyGraphs() {
        requireGraph("training_model.onnx", GraphContract.TRAIN_INPUTS, GraphContract.TRAIN_OUTPUTS);
        requireGraph("eval_model.onnx", GraphContract.TRAIN_INPUTS, GraphContract.TRAIN_OUTPUTS);
        requireGraph("reference_model.onnx", GraphContract.REFERENCE_INPUTS, GraphContract.REFERENCE_OUTPUTS);
        requireGraph("inference_model.onnx", GraphContract.INFERENCE_INPUTS, GraphContract.INFERENCE_OUTPUTS);
    }

    private void requireGraph(String file, java.util.List<String> inputs, java.util.List<String> outputs) {
        Manifest.Graph g = manifest.graphs().get(file);
        if (g == null) {
            throw new ArtifactException(dir.resolve("manifest.json") + ": field 'graphs' lacks " + file);
        }
        GraphContract.requireNames(dir.resolve(file) + " inputs", inputs, g.inputNames());
        GraphContract.requireNames(dir.resolve(file) + " outputs", outputs, g.outputNames());
    }

    /** Every id the tokenizer can produce must index the model's embedding. */
    private void verifyTokenizer() {
        Path tok = dir.resolve("tokenizer.json");
        JsonNode root;
        try {
            root = Files2.JSON.readTree(tok.toFile());
        } catch (IOException e) {
            throw new ArtifactException(tok + ": not valid JSON: " + e.getMessage(), e);
        }
        int vocab = manifest.vocabSize();
        JsonNode model = root.path("model").path("vocab");
        for (Iterator<Map.Entry<String, JsonNode>> it = model.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            checkId(tok, e.getKey(), e.getValue().asInt(), vocab);
        }
        for (JsonNode added : root.path("added_tokens")) {
            checkId(tok, added.path("content").asText(), added.path("id").asInt(), vocab);
        }
        Manifest.SpecialTokens sp = manifest.specialTokens();
        checkId(tok, "eos", sp.eos(), vocab);
        checkId(tok, "pad", sp.pad(), vocab);
        if (sp.bos() != null) {
            checkId(tok, "bos", sp.bos(), vocab);
        }
    }

    private static void checkId(Path tok, String token, int id, int vocab) {
        if (id < 0 || id >= vocab) {
            throw new ArtifactException(tok + ": token '" + token + "' has id " + id + " but the model's vocab_size is "
                    + vocab + " (expected ids 0.." + (vocab - 1) + "): tokenizer and model do not match");
        }
    }
}
