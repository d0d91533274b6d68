package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.artifacts.ArtifactCopies;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dpo4j check-artifacts}: every byte against manifest.json, one line either way. */
class CheckArtifactsCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = Main.execute(cl, args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aGoodSetPassesAndADamagedFileIsNamed() throws IOException {
        Path dir = ArtifactCopies.copyOf(tmp, "tiny-gpt2");
        Path cache = tmp.resolve("cache");
        Run ok = run("check-artifacts", "--artifacts", dir.toString(), "--cache-dir", cache.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("ok: " + dir + ": artifacts verified in ")
                .contains("every checksum matches manifest.json");
        Path graph = dir.resolve("training_model.onnx");
        byte[] b = Files.readAllBytes(graph);
        b[b.length - 1] ^= 1;
        Files.write(graph, b);
        Run bad = run("check-artifacts", "--artifacts", dir.toString(), "--cache-dir", cache.toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).startsWith("error: checksum mismatch for " + graph);
    }
}
