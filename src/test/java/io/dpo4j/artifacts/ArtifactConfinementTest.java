package io.dpo4j.artifacts;

import static io.dpo4j.artifacts.ArtifactCopies.copyOf;
import static io.dpo4j.artifacts.ArtifactCopies.editManifest;
import static io.dpo4j.artifacts.ArtifactCopies.setChecksum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file name read from manifest.json stays inside the artifact directory: nothing outside is opened, hashed or
 * quoted, non-regular files are refused without being opened, and absurd sizes are refused before hashing.
 */
class ArtifactConfinementTest {
    private static final String SECRET = "TOP-SECRET-CONTENT-OUTSIDE-THE-ARTIFACTS";

    @TempDir
    Path tmp;

    private Path dir;
    private Path outside;
    private String outsideSha;

    @BeforeEach
    void setUp() throws IOException {
        dir = copyOf(tmp, "tiny-gpt2");
        outside = tmp.resolve("outside.txt");
        Files.writeString(outside, SECRET + " is not JSON\n");
        outsideSha = Files2.sha256(outside);
    }

    @Test
    void dotDotEntryIsRefusedWithoutHashingTheOutsideFile() throws IOException {
        setChecksum(dir, "../outside.txt", outsideSha);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("field 'files'").hasMessageContaining("entry '../outside.txt'")
                .hasMessageContaining("'..' segment").hasMessageNotContaining(SECRET);
    }

    @Test
    void nameThatNormalisesOutsideIsRefused() throws IOException {
        setChecksum(dir, "sub/../../outside.txt", outsideSha);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("entry 'sub/../../outside.txt'").hasMessageContaining("'..' segment");
    }

    @Test
    void absoluteEntryIsRefused() throws IOException {
        setChecksum(dir, outside.toAbsolutePath().toString(), outsideSha);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("field 'files'").hasMessageContaining(outside.toAbsolutePath().toString())
                .hasMessageContaining("an absolute path").hasMessageNotContaining(SECRET);
    }

    @Test
    void symlinkedTokenizerPointingOutsideLeaksNothing() throws IOException {
        Files.delete(dir.resolve("tokenizer.json"));
        Files.createSymbolicLink(dir.resolve("tokenizer.json"), outside.toAbsolutePath());
        setChecksum(dir, "tokenizer.json", outsideSha); // even a manifest that agrees with the outside file
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("field 'files'").hasMessageContaining("entry 'tokenizer.json'")
                .hasMessageContaining("symbolic link whose target is outside")
                .hasMessageNotContaining(SECRET).hasMessageNotContaining(outsideSha)
                .hasMessageNotContaining(outside.getFileName().toString());
    }

    @Test
    void symlinkInsideTheDirectoryIsAccepted() throws IOException {
        Files.move(dir.resolve("config.json"), dir.resolve("config-real.json"));
        Files.createSymbolicLink(dir.resolve("config.json"), Path.of("config-real.json"));
        editManifest(dir, m -> ((ObjectNode) m.get("files")).put("config-real.json",
                m.get("files").get("config.json").asText()));
        assertThat(ArtifactSet.load(dir).manifest().name()).isEqualTo("tiny-gpt2");
    }

    @Test
    void symlinkedManifestPointingOutsideIsRefused() throws IOException {
        Path elsewhere = tmp.resolve("manifest-elsewhere.json");
        Files.move(dir.resolve("manifest.json"), elsewhere);
        Files.createSymbolicLink(dir.resolve("manifest.json"), elsewhere.toAbsolutePath());
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("manifest.json").hasMessageContaining("symbolic link whose target is outside");
    }

    @Test
    void fifoIsRefusedWithoutBeingOpened() throws Exception {
        ArtifactCopies.mkfifo(dir.resolve("config.json"));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("field 'files'").hasMessageContaining("entry 'config.json'")
                .hasMessageContaining("FIFO"));
    }

    @Test
    void directoryEntryIsRefused() throws IOException {
        Files.createDirectory(dir.resolve("weights"));
        setChecksum(dir, "weights", outsideSha);
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("entry 'weights'").hasMessageContaining("found a directory");
    }

    @Test
    void sparseHugeFileIsRefusedBeforeHashing() throws IOException {
        long size = 200L << 30; // 200 GiB, sparse: hashing it would take minutes
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("config.json").toFile(), "rw")) {
            f.setLength(size);
        } catch (IOException e) {
            Assumptions.abort("this file system cannot hold a 200 GiB sparse file: " + e.getMessage());
        }
        long max = ArtifactSet.maxFileBytes(manifestOf(dir));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("entry 'config.json'").hasMessageContaining("expected at most " + max + " bytes")
                .hasMessageContaining("found " + size + " bytes").hasMessageContaining("not hashed"));
    }

    @Test
    void graphNamedOutsideTheFilesIsRefused() throws IOException {
        editManifest(dir, m -> {
            ObjectNode graphs = (ObjectNode) m.get("graphs");
            graphs.set("../evil.onnx", graphs.get("eval_model.onnx"));
        });
        assertThatThrownBy(() -> ArtifactSet.load(dir))
                .hasMessageContaining("field 'graphs'").hasMessageContaining("entry '../evil.onnx'");
    }

    @Test
    void unlistedOrEscapingFileNamesAreNotHandedOut() throws IOException {
        ArtifactSet set = ArtifactSet.load(dir);
        assertThat(set.file("tokenizer.json")).isEqualTo(dir.resolve("tokenizer.json"));
        assertThat(set.file("absent_optional.json")).doesNotExist();
        assertThatThrownBy(() -> set.file("../outside.txt")).hasMessageContaining("'..' segment");
        Files.writeString(dir.resolve("extra.json"), "{}", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> set.file("extra.json")).hasMessageContaining("not listed")
                .hasMessageContaining("field 'files'");
    }

    private static Manifest manifestOf(Path dir) throws IOException {
        return ManifestReader.read(dir.resolve("manifest.json"), Files.readAllBytes(dir.resolve("manifest.json")));
    }
}
