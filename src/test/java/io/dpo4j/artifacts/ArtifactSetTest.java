package io.dpo4j.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Validation of artifact directories before any native session is created. */
class ArtifactSetTest {
    @TempDir
    Path tmp;

    private Path copyOf(String model) throws IOException {
        return ArtifactCopies.copyOf(tmp, model);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void committedArtifactsValidate(String model) {
        ArtifactSet set = ArtifactSet.load(Path.of("artifacts", model));
        assertThat(set.manifest().name()).isEqualTo(model);
        assertThat(set.manifest().vocabSize()).isEqualTo(4096);
        assertThat(set.manifest().lossVariants()).containsExactly("sigmoid", "robust", "hinge", "ipo", "simpo");
        assertThat(set.manifest().graphs().get("training_model.onnx").inputNames())
                .containsSubsequence(GraphContract.TRAIN_INPUTS)
                .containsAll(GraphContract.LENGTH_INPUTS);
    }

    @Test
    void aGraphWithOnlyOneOfTheLengthInputsIsRefused() throws IOException {
        Path dir = copyOf("tiny-gpt2");
        ArtifactCopies.editManifest(dir, m -> {
            var inputs = (com.fasterxml.jackson.databind.node.ArrayNode) m.get("graphs").get("eval_model.onnx")
                    .get("inputs");
            for (var it = inputs.elements(); it.hasNext(); ) {
                if (it.next().get("name").asText().equals("length_lambda")) {
                    it.remove();
                }
            }
        });
        assertThatThrownBy(() -> ArtifactSet.load(dir)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("eval_model.onnx inputs: expected all of [length_target, length_lambda] or none")
                .hasMessageContaining("found only [length_target]")
                .hasMessageContaining("re-export with tools/export/export.py");
    }

    @Test
    void trainingGraphsTakeEitherUnpackedRowsOrSharedPromptRows() throws IOException {
        Path shared = copyOf("tiny-gpt2");
        renameTrainingInput(shared, "attention_mask", "segment_ids");
        assertThat(ArtifactSet.load(shared).manifest().graphs().get("eval_model.onnx").inputNames())
                .containsSubsequence(GraphContract.TRAIN_INPUTS_SHARED_PROMPT);

        Path neither = tmp.resolve("neither");
        Files.createDirectories(neither);
        try (var files = Files.list(shared)) {
            for (Path f : files.toList()) {
                Files.copy(f, neither.resolve(f.getFileName()));
            }
        }
        renameTrainingInput(neither, "segment_ids", "position_ids");
        assertThatThrownBy(() -> ArtifactSet.load(neither)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("training_model.onnx inputs: expected " + GraphContract.TRAIN_INPUTS
                        + " (in this order)")
                .hasMessageContaining("position_ids");
    }

    /** Renames a user input of training_model.onnx and eval_model.onnx in the manifest's graph signatures. */
    private static void renameTrainingInput(Path dir, String from, String to) throws IOException {
        ArtifactCopies.editManifest(dir, m -> {
            for (String graph : new String[] {"training_model.onnx", "eval_model.onnx"}) {
                for (var input : m.get("graphs").get(graph).get("inputs")) {
                    if (input.get("name").asText().equals(from)) {
                        ((ObjectNode) input).put("name", to);
                    }
                }
            }
        });
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path dir = copyOf("tiny-gpt2");
        Files.delete(dir.resolve("optimizer_model.onnx"));
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("missing artifact file").hasMessageContaining("optimizer_model.onnx");
    }

    @Test
    void checksumMismatchSaysExpectedAndFound() throws IOException {
        Path dir = copyOf("tiny-gpt2");
        Files.write(dir.resolve("checkpoint"), new byte[] {1}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("checksum mismatch").hasMessageContaining("checkpoint")
                .hasMessageContaining("expects sha256").hasMessageContaining("file has");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void referenceAndInferenceGraphsShareOneWeightsFile(String model) {
        Path dir = Path.of("artifacts", model);
        assertThat(OnnxExternalData.locations(dir.resolve("reference_model.onnx"))).containsExactly("weights.data");
        assertThat(OnnxExternalData.locations(dir.resolve("inference_model.onnx"))).containsExactly("weights.data");
        assertThat(OnnxExternalData.locations(dir.resolve("training_model.onnx"))).isEmpty();
        assertThat(ArtifactSet.load(dir).manifest().files()).containsKey("weights.data");
    }

    @Test
    void tamperedWeightsFileIsRefusedByChecksum() throws IOException {
        Path dir = copyOf("tiny-llama");
        Files.write(dir.resolve("weights.data"), new byte[] {1}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("checksum mismatch").hasMessageContaining("weights.data");
    }

    @Test
    void externalDataFileNotListedInManifestIsRefused() throws IOException {
        Path dir = copyOf("tiny-gpt2");
        // The graphs still point to weights.data, but the manifest no longer vouches for it (graphs checked in name order: the KV graph first).
        ObjectNode manifest = (ObjectNode) Files2.JSON.readTree(dir.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("files")).remove("weights.data");
        Files2.JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("inference_kv_model.onnx").hasMessageContaining("external data 'weights.data'")
                .hasMessageContaining("field 'files'").hasMessageContaining("not listed");
    }

    @Test
    void malformedGraphProtobufIsNamed() throws IOException {
        Path bad = tmp.resolve("bad.onnx");
        Files.write(bad, new byte[] {0x3a, 0x7f, 0x01}); // field 7, length 127, 1 byte present
        assertThatThrownBy(() -> OnnxExternalData.locations(bad))
                .hasMessageContaining("bad.onnx").hasMessageContaining("expected an ONNX model protobuf");
    }

    @Test
    void tokenizerOfAnotherVocabularyIsRejected() throws IOException {
        Path dir = copyOf("tiny-gpt2");
        ObjectNode tok = (ObjectNode) Files2.JSON.readTree(dir.resolve("tokenizer.json").toFile());
        ((ObjectNode) tok.get("model").get("vocab")).put("<|big|>", 50256);
        Files2.JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tok);
        ObjectNode manifest = (ObjectNode) Files2.JSON.readTree(dir.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("files")).put("tokenizer.json", Files2.sha256(dir.resolve("tokenizer.json")));
        Files2.JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("tokenizer.json").hasMessageContaining("50256")
                .hasMessageContaining("vocab_size is 4096").hasMessageContaining("do not match");
    }

    @Test
    void notAnArtifactDirectory() {
        assertThatThrownBy(() -> ArtifactSet.load(tmp)).hasMessageContaining("manifest.json is missing");
        assertThatThrownBy(() -> ArtifactSet.load(tmp.resolve("nope"))).hasMessageContaining("does not exist");
    }

    @Test
    void aLoadWithTheChecksumCacheStillRefusesAFileChangedInPlace() throws Exception {
        Path dir = ArtifactCopies.copyOf(tmp, "tiny-gpt2");
        Thread.sleep(30); // the change below must land in a later time stamp tick than the hashed state
        HashCache cache = HashCache.in(tmp.resolve("cache"), 1, 0, true); // every file counts as large here
        ArtifactSet first = ArtifactSet.load(dir, cache);
        assertThat(first.hashes().fromCache()).isEmpty();
        ArtifactSet second = ArtifactSet.load(dir, cache);
        assertThat(second.hashes().fromCache()).hasSize(first.manifest().files().size());
        assertThat(second.hashes().sums()).isEqualTo(first.hashes().sums());
        Path ckpt = dir.resolve("checkpoint");
        byte[] b = Files.readAllBytes(ckpt);
        b[b.length / 2] ^= 1; // same size; the change time moves
        Files.write(ckpt, b);
        assertThatThrownBy(() -> ArtifactSet.load(dir, cache))
                .hasMessageContaining("checksum mismatch for " + ckpt);
    }
}
