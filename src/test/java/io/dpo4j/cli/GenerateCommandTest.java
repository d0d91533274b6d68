package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dpo4j generate}: the KV-cache graph is used when the artifacts have it, and prints what --no-kv-cache does. */
class GenerateCommandTest {
    private static String[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(args)).as(err.toString()).isZero();
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void kvCacheAndNoCachePrintTheSameBatchOfSamples() {
        String[] base = {"generate", "--artifacts", "artifacts/tiny-llama", "--prompt", "Review: Great", "--prompt",
            "Review: A long and quiet film about a family", "--max-new-tokens", "6", "--temperature", "0.1",
            "--top-p", "0.9", "--repetition-penalty", "1.2", "-n", "2", "--seed", "4"};
        String[] kv = run(base);
        String[] plain = run(concat(base, "--no-kv-cache"));
        assertThat(kv[0]).isEqualTo(plain[0]).contains("--- prompt 1, sample 1\nReview: A long and quiet film");
        assertThat(kv[1]).contains("tokens/s, KV cache)");
        assertThat(plain[1]).contains("tokens/s, no cache)");
    }

    @Test
    void theChecksumCacheDirectoryIsAcceptedAndSmallFilesAreNotCached(@TempDir Path tmp) {
        String[] base = {"generate", "--artifacts", "artifacts/tiny-llama", "--prompt", "Review: Great",
            "--max-new-tokens", "4", "--seed", "1"};
        Path cache = tmp.resolve("cache");
        assertThat(run(concat(base, "--cache-dir", cache.toString()))[0]).isEqualTo(run(base)[0]);
        assertThat(cache).as("the tiny artifacts' files are under HashCache.MIN_BYTES").doesNotExist();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
