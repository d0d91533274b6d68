package io.dpo4j.artifacts;

import static io.dpo4j.artifacts.ArtifactCopies.copyOf;
import static io.dpo4j.artifacts.ArtifactCopies.editManifest;
import static io.dpo4j.artifacts.ArtifactCopies.setChecksum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed manifest.json and tokenizer.json fail with one line naming the file and the field, what was expected and
 * what was found, with no Java class names or JSON-parser internals.
 */
class ManifestReaderTest {
    @TempDir
    Path tmp;

    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = copyOf(tmp, "tiny-gpt2");
    }

    /** @return the load failure's message, checked to be one clean line naming {@code file} */
    private String failure(String file) {
        Throwable t = catchThrowable(() -> ArtifactSet.load(dir));
        assertThat(t).isInstanceOf(ArtifactException.class);
        String m = t.getMessage();
        assertThat(m).contains(dir.resolve(file).toString()).doesNotContain("\n")
                .doesNotContain("com.fasterxml").doesNotContain("jackson").doesNotContain("Exception")
                .doesNotContain("java.").doesNotContain("Unrecognized token").doesNotContain("[Source:");
        return m;
    }

    private void writeManifest(String text) throws IOException {
        Files.writeString(dir.resolve("manifest.json"), text);
    }

    @Test
    void manifestThatIsNotJson() throws IOException {
        writeManifest("{\n  \"format\": 1,\n  oops this is not JSON\n}");
        assertThat(failure("manifest.json")).endsWith("manifest.json: expected a JSON object, found a syntax error "
                + "at line 3, column 3 (not valid JSON)");
    }

    @Test
    void truncatedManifest() throws IOException {
        byte[] whole = Files.readAllBytes(dir.resolve("manifest.json"));
        Files.write(dir.resolve("manifest.json"), Arrays.copyOf(whole, whole.length / 2));
        assertThat(failure("manifest.json")).contains("expected a JSON object, found the file ending inside a value")
                .contains("(truncated?)");
    }

    @Test
    void emptyManifestOrNotAnObject() throws IOException {
        writeManifest("");
        assertThat(failure("manifest.json")).endsWith("expected a JSON object, found an empty file");
        writeManifest("[1, 2]");
        assertThat(failure("manifest.json")).endsWith("expected a JSON object at the top level, found an array");
        writeManifest("{} {}");
        assertThat(failure("manifest.json")).contains("found a syntax error at line 1");
    }

    @Test
    void wrongTypeNamesFieldExpectedAndFound() throws IOException {
        editManifest(dir, m -> ((ObjectNode) m.get("special_tokens")).put("eos", "fifty"));
        assertThat(failure("manifest.json")).endsWith(
                "field 'special_tokens.eos': expected an integer, found a string (\"fifty\")");
        editManifest(dir, m -> {
            ((ObjectNode) m.get("special_tokens")).put("eos", 0);
            m.put("vocab_size", 4096.5);
        });
        assertThat(failure("manifest.json")).endsWith("field 'vocab_size': expected an integer, found the number 4096.5");
        editManifest(dir, m -> {
            m.put("vocab_size", 4096);
            m.putArray("files");
        });
        assertThat(failure("manifest.json")).endsWith("field 'files': expected an object, found an array");
    }

    @Test
    void missingKeyNamesTheField() throws IOException {
        editManifest(dir, m -> m.remove("vocab_size"));
        assertThat(failure("manifest.json")).endsWith(
                "field 'vocab_size': expected an integer, found nothing (the key is missing)");
        editManifest(dir, m -> {
            m.put("vocab_size", 4096);
            ((ObjectNode) m.get("special_tokens")).remove("add_bos");
        });
        assertThat(failure("manifest.json")).endsWith(
                "field 'special_tokens.add_bos': expected true or false, found nothing (the key is missing)");
    }

    @Test
    void nestedGraphAndChecksumFields() throws IOException {
        editManifest(dir, m -> ((ObjectNode) m.get("graphs").get("eval_model.onnx").get("inputs").get(1))
                .putNull("name"));
        assertThat(failure("manifest.json")).endsWith(
                "field 'graphs.eval_model.onnx.inputs[1].name': expected a string, found null");
        copyOfAgain();
        editManifest(dir, m -> ((ObjectNode) m.get("files")).put("checkpoint", "not-a-hash"));
        assertThat(failure("manifest.json")).endsWith(
                "field 'files.checkpoint': expected a SHA-256 (64 hex digits), found a string (\"not-a-hash\")");
    }

    @Test
    void oldManifestWithoutOptionalFieldsStillLoads() throws IOException {
        editManifest(dir, m -> {
            ((ObjectNode) m.get("optimizer")).remove("max_grad_norm");
            m.remove("tools");
            m.remove("loss_inputs");
        });
        ArtifactSet set = ArtifactSet.load(dir);
        assertThat(set.manifest().optimizer().maxGradNorm()).isNull();
        assertThat(set.manifest().tools()).isEmpty();
        assertThat(set.manifest().specialTokens().eos()).isEqualTo(4095);
    }

    @Test
    void tokenizerThatIsNotJson() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "version: 1\nmodel: bpe\n");
        setChecksum(dir, "tokenizer.json", Files2.sha256(dir.resolve("tokenizer.json")));
        assertThat(failure("tokenizer.json")).endsWith(
                "tokenizer.json: expected a JSON object, found a syntax error at line 1, column 9 (not valid JSON)");
    }

    @Test
    void tokenizerWithWrongTypesOrMissingKeys() throws IOException {
        ObjectNode tok = (ObjectNode) Files2.JSON.readTree(dir.resolve("tokenizer.json").toFile());
        ((ObjectNode) tok.get("model").get("vocab")).put("hello", "seven");
        writeTokenizer(tok);
        assertThat(failure("tokenizer.json")).endsWith(
                "field 'model.vocab.hello': expected an integer, found a string (\"seven\")");
        ((ObjectNode) tok.get("model").get("vocab")).remove("hello");
        ((ObjectNode) tok.get("added_tokens").get(0)).put("id", true);
        writeTokenizer(tok);
        assertThat(failure("tokenizer.json")).endsWith("field 'added_tokens[0].id': expected an integer, found true");
        tok.remove("model");
        writeTokenizer(tok);
        assertThat(failure("tokenizer.json")).endsWith(
                "field 'model': expected an object, found nothing (the key is missing)");
    }

    private void writeTokenizer(ObjectNode tok) throws IOException {
        Files2.JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tok);
        setChecksum(dir, "tokenizer.json", Files2.sha256(dir.resolve("tokenizer.json")));
    }

    private void copyOfAgain() throws IOException {
        Files2.deleteTree(dir);
        dir = copyOf(tmp, "tiny-gpt2");
    }
}
