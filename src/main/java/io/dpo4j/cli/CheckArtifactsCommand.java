package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.train.TrainDefaults;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpo4j check-artifacts}: the full check on demand behind {@link HashCache}. Rehashes every byte of an artifact
 * directory against manifest.json, runs every other check of {@link ArtifactSet#load}, and stores the fresh sums of
 * the large files in the cache that {@code train} and {@code eval} read.
 */
@Command(name = "check-artifacts", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Verify an artifact directory: the SHA-256 of every byte of every file against manifest.json "
                + "(ignoring the checksum cache), graphs, tokenizer and LoRA section. The sums of large files are "
                + "stored in <cache-dir>/sha256, where train and eval find them while the files are unchanged "
                + "(same device, inode, size, mtime and ctime). Exits 1 naming the first problem.",
        footer = {"", "Examples:",
                "  dpo4j check-artifacts --artifacts tools/.cache/artifacts/tinyllama-1.1b-random",
                "  dpo4j check-artifacts --artifacts artifacts/tiny-gpt2 --cache-dir /data/dpo4j-cache"})
final class CheckArtifactsCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory to check. Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--cache-dir", defaultValue = TrainDefaults.CACHE_DIR,
            description = "Cache directory of train and eval; the sums go to its sha256/ subdirectory. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path cacheDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        ArtifactSet art = ArtifactSet.load(artifacts, HashCache.refresh(cacheDir));
        String summary = art.hashes().summary((System.nanoTime() - start) / 1e9);
        spec.commandLine().getOut().println("ok: " + artifacts + ": " + summary + "; every checksum matches manifest.json");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
