package io.dpo4j.cli;

import java.nio.file.Path;

/**
 * Paths of the embedded default run: the committed tiny GPT-2 artifacts and the committed IMDb preference set,
 * under the repository root.
 */
final class EmbeddedDefault {
    /** Repository root: system property {@code dpo4j.home} (set by tools/dpo4j), else the working directory. */
    static final String HOME = "${sys:dpo4j.home:-.}";
    /** Tiny GPT-2 artifacts. */
    static final String ARTIFACTS = HOME + "/artifacts/tiny-gpt2";
    /** Training pairs. */
    static final String TRAIN = HOME + "/artifacts/datasets/imdb-pref/train.jsonl";
    /** Held-out pairs. */
    static final String EVAL = HOME + "/artifacts/datasets/imdb-pref/eval.jsonl";

    private EmbeddedDefault() {}

    /** @return {@code p} with {@link #HOME} resolved (for defaults used outside picocli) */
    static Path resolve(String p) {
        return Path.of(p.replace(HOME, System.getProperty("dpo4j.home", ".")));
    }
}
