package io.dpo4j.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.ConfinedPath;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A validated artifact directory: every file present, every checksum equal to the manifest's, graph names as the
 * contract requires, and a tokenizer whose ids fit the model's vocabulary. Validation happens once, in
 * {@link #load(Path)}, before any native session is created.
 *
 * <p>Every file name read from manifest.json (the {@code files} map, the {@code graphs} keys) is confined to the
 * directory ({@link ConfinedPath}): absolute names, {@code ..} segments, symbolic links leaving the directory and
 * entries that are not regular files (FIFOs, devices, directories) are refused before anything is opened, and a file
 * larger than {@link #maxFileBytes(Manifest)} is refused before it is hashed. Nothing outside the directory is ever
 * opened, hashed or quoted in a message. The files are hashed in parallel ({@link Files2#sha256All}), every byte on
 * every {@link #load(Path)}; {@link #load(Path, HashCache)} may take the sums of large unchanged files from a
 * {@link HashCache} (what {@code train} and {@code eval} do). A graph that stores tensors in an external-data file
 * ({@code weights.data}) is accepted only when that file is listed in {@code files} ({@link OnnxExternalData}), so
 * ONNX Runtime never reads unverified weights.
 *
 * @param dir      the directory
 * @param manifest its parsed manifest
 * @param hashes   the files' SHA-256 sums, and which of them came from a {@link HashCache}
 */
public record ArtifactSet(Path dir, Manifest manifest, HashCache.Result hashes) {
    /** Largest manifest.json accepted (the exporter writes about 10 KB). */
    public static final long MAX_MANIFEST_BYTES = 16L << 20;
    /** Allowance on top of 16 bytes per parameter in {@link #maxFileBytes(Manifest)} (tokenizers, configs). */
    public static final long FILE_SLACK_BYTES = 64L << 20;

    /**
     * Loads and validates {@code dir}, hashing every byte of every file.
     *
     * @throws ArtifactException naming the file and what was expected vs found
     */
    public static ArtifactSet load(Path dir) {
        return load(dir, HashCache.none());
    }

    /**
     * Loads and validates {@code dir}, taking the SHA-256 of large files whose identity is unchanged from
     * {@code cache} (every other file is hashed in full).
     *
     * @throws ArtifactException naming the file and what was expected vs found
     */
    public static ArtifactSet load(Path dir, HashCache cache) {
        if (!Files.isDirectory(dir)) {
            throw new ArtifactException("artifact directory " + dir + " does not exist (export one with tools/export/export.py)");
        }
        Path manifestFile = dir.resolve("manifest.json");
        ConfinedPath.Found found;
        try {
            found = ConfinedPath.resolve(dir, "manifest.json");
        } catch (ConfinedPath.Violation v) {
            throw new ArtifactException(v.missing()
                    ? manifestFile + " is missing: not an artifact directory written by tools/export/export.py"
                    : manifestFile + ": expected a regular file inside " + dir + ", found " + v.getMessage());
        }
        if (found.bytes() > MAX_MANIFEST_BYTES) {
            throw new ArtifactException(manifestFile + ": expected at most " + MAX_MANIFEST_BYTES + " bytes, found "
                    + found.bytes() + " bytes");
        }
        Manifest manifest = ManifestReader.read(manifestFile, readAll(manifestFile));
        ArtifactSet set = new ArtifactSet(dir, manifest, verifyFiles(dir, manifest, cache));
        set.verifyExternalData();
        set.verifyGraphs();
        set.verifyTokenizer();
        set.verifyLora();
        return set;
    }

    /**
     * The largest file accepted in a set: 16 bytes per parameter plus {@link #FILE_SLACK_BYTES}. The exporter's
     * largest files (the initial checkpoint and the ONNX graphs with their weights) hold about 4 bytes per parameter;
     * tokenizers and configs are a few MB. A larger file (e.g. a sparse or runaway file) is refused before hashing.
     */
    public static long maxFileBytes(Manifest manifest) {
        return 16L * manifest.numParameters() + FILE_SLACK_BYTES;
    }

    /**
     * The path of a file of the set. Files listed in manifest.json were verified by {@link #load(Path)}; a name not
     * listed (an optional file the export did not write) is returned only when nothing exists there.
     *
     * @throws ArtifactException when the name is not confined to the directory, or names an unlisted existing file
     */
    public Path file(String name) {
        if (manifest.files().containsKey(name)) {
            return dir.resolve(name);
        }
        try {
            ConfinedPath.resolve(dir, name);
        } catch (ConfinedPath.Violation v) {
            if (v.missing()) {
                return dir.resolve(name);
            }
            throw new ArtifactException(dir.resolve(name) + ": expected a regular file inside " + dir + ", found "
                    + v.getMessage());
        }
        throw new ArtifactException(dir.resolve(name) + " exists but is not listed in " + dir.resolve("manifest.json")
                + " field 'files', so its checksum cannot be verified (re-export, or remove the file)");
    }

    /** @return the manifest's SHA-256 of a file (used as a cache key) */
    public String checksum(String name) {
        String sum = manifest.files().get(name);
        if (sum == null) {
            throw new ArtifactException(dir.resolve("manifest.json") + ": no checksum for " + name);
        }
        return sum;
    }

    private static HashCache.Result verifyFiles(Path dir, Manifest manifest, HashCache cache) {
        Path manifestFile = dir.resolve("manifest.json");
        for (String required : GraphContract.REQUIRED_FILES) {
            if (!manifest.files().containsKey(required)) {
                throw new ArtifactException(manifestFile + ": field 'files' lacks " + required);
            }
        }
        long max = maxFileBytes(manifest);
        List<ConfinedPath.Found> found = new ArrayList<>();
        for (Map.Entry<String, String> e : manifest.files().entrySet()) {
            ConfinedPath.Found f;
            try {
                f = ConfinedPath.resolve(dir, e.getKey());
            } catch (ConfinedPath.Violation v) {
                if (v.missing()) {
                    throw new ArtifactException("missing artifact file " + dir.resolve(e.getKey())
                            + " (listed in manifest.json field 'files')");
                }
                throw new ArtifactException(manifestFile + ": field 'files': entry '" + e.getKey()
                        + "': expected a regular file inside " + dir + ", found " + v.getMessage());
            }
            if (f.bytes() > max) {
                throw new ArtifactException(manifestFile + ": field 'files': entry '" + e.getKey() + "': expected at "
                        + "most " + max + " bytes (16 per parameter + " + (FILE_SLACK_BYTES >> 20) + " MiB), found "
                        + f.bytes() + " bytes; not hashed");
            }
            found.add(f);
        }
        HashCache.Result hashes = cache.sha256All(found.stream().map(ConfinedPath.Found::path).toList());
        Map<Path, String> sums = hashes.sums();
        for (Map.Entry<String, String> e : manifest.files().entrySet()) {
            Path p = dir.resolve(e.getKey());
            String sum = sums.get(p);
            if (!sum.equalsIgnoreCase(e.getValue())) {
                throw new ArtifactException("checksum mismatch for " + p + ": manifest.json expects sha256 "
                        + e.getValue() + ", file has " + sum + " (file modified or truncated; re-export)");
            }
        }
        for (String graph : manifest.graphs().keySet()) {
            if (!manifest.files().containsKey(graph)) {
                throw new ArtifactException(manifestFile + ": field 'graphs': entry '" + graph + "': expected a file "
                        + "listed in field 'files', found a name that is not listed");
            }
        }
        return hashes;
    }

    /**
     * Every external-data file a graph points to (ONNX Runtime opens it next to the graph) must be listed in
     * {@code files}: then it was confined to the directory and its checksum verified like the graph itself.
     */
    private void verifyExternalData() {
        for (String graph : new TreeSet<>(manifest.graphs().keySet())) {
            for (String location : OnnxExternalData.locations(dir.resolve(graph))) {
                if (!manifest.files().containsKey(location)) {
                    throw new ArtifactException(dir.resolve(graph) + ": external data '" + location + "': expected a "
                            + "file listed in " + dir.resolve("manifest.json") + " field 'files' (so that its checksum "
                            + "is verified), found a name that is not listed");
                }
            }
        }
    }

    private void verifyGraphs() {
        for (String f : List.of("training_model.onnx", "eval_model.onnx")) {
            Manifest.Graph g = manifest.graphs().get(f);
            // unpacked rows, or one packed row per pair (shared-prompt graphs: segment_ids for attention_mask)
            requireGraph(f, g == null ? GraphContract.TRAIN_INPUTS : GraphContract.trainInputs(g.inputNames()),
                    GraphContract.TRAIN_OUTPUTS);
            GraphContract.requireAllOrNone(dir.resolve(f) + " inputs", GraphContract.LENGTH_INPUTS,
                    manifest.graphs().get(f).inputNames());
        }
        requireGraph("reference_model.onnx", GraphContract.REFERENCE_INPUTS, GraphContract.REFERENCE_OUTPUTS);
        requireGraph("inference_model.onnx", GraphContract.INFERENCE_INPUTS, GraphContract.INFERENCE_OUTPUTS);
    }

    private void requireGraph(String file, List<String> inputs, List<String> outputs) {
        Manifest.Graph g = manifest.graphs().get(file);
        if (g == null) {
            throw new ArtifactException(dir.resolve("manifest.json") + ": field 'graphs' lacks " + file);
        }
        GraphContract.requireNames(dir.resolve(file) + " inputs", inputs, g.inputNames());
        GraphContract.requireNames(dir.resolve(file) + " outputs", outputs, g.outputNames());
    }

    /**
     * A LoRA set's base weights file must be a verified file of the set, every base tensor of {@code parameters} must
     * have an offset whose float32 bytes lie inside it, and every adapter's base weight must have the adapter's shape.
     */
    private void verifyLora() {
        LoraSection lora = manifest.lora();
        if (lora == null) {
            return;
        }
        Path manifestFile = dir.resolve("manifest.json");
        if (!manifest.files().containsKey(lora.baseWeightsFile())) {
            throw new ArtifactException(manifestFile + ": field 'lora.base_weights.file': expected a file listed in "
                    + "field 'files', found '" + lora.baseWeightsFile() + "'");
        }
        long size;
        try {
            size = Files.size(dir.resolve(lora.baseWeightsFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dir.resolve(lora.baseWeightsFile()), e);
        }
        Map<String, List<Long>> shapes = new java.util.HashMap<>();
        for (Manifest.Parameter p : manifest.parameters()) {
            shapes.put(p.name(), p.shape());
            Long offset = lora.baseOffsets().get(p.name());
            long bytes = 4L * p.shape().stream().reduce(1L, Math::multiplyExact);
            if (offset == null || offset + bytes > size) {
                throw new ArtifactException(manifestFile + ": field 'lora.base_weights.offsets': entry '" + p.name()
                        + "': expected an offset with " + bytes + " bytes inside " + lora.baseWeightsFile() + " ("
                        + size + " bytes), found " + offset);
            }
        }
        for (LoraSection.Adapter a : lora.adapters()) {
            List<Long> want = java.util.Arrays.stream(a.baseShape()).boxed().toList();
            if (!want.equals(shapes.get(a.base()))) {
                throw new ArtifactException(manifestFile + ": field 'lora.adapters': entry '" + a.module()
                        + "': expected base weight " + a.base() + " of shape " + want + " in field 'parameters', found "
                        + shapes.get(a.base()));
            }
        }
    }

    /** Every id the tokenizer can produce must index the model's embedding (tokenizer.json was verified above). */
    private void verifyTokenizer() {
        Path tok = dir.resolve("tokenizer.json");
        JsonFields root = JsonFields.parse(tok, readAll(tok));
        int vocab = manifest.vocabSize();
        JsonFields model = root.object("model");
        JsonNode rawVocab = model.raw("vocab");
        if (rawVocab != null && rawVocab.isArray()) { // Unigram: [piece, score] pairs, ids are positions
            int n = rawVocab.size();
            if (n > vocab) {
                throw new ArtifactException(tok + ": field 'model.vocab' has " + n + " pieces but the model's "
                        + "vocab_size is " + vocab + " (expected at most " + vocab + "): tokenizer and model do not match");
            }
        } else {
            for (Map.Entry<String, Integer> e : model.object("vocab").integerMembers().entrySet()) {
                checkId(tok, e.getKey(), e.getValue(), vocab);
            }
        }
        if (root.has("added_tokens")) {
            for (JsonFields added : root.objects("added_tokens")) {
                checkId(tok, added.string("content"), added.integer("id"), vocab);
            }
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

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
