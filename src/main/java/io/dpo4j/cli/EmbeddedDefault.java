package io.dpo4j.cli;

import java.nio.file.Path;

/**
 * Paths of the embedded default run: the committed tiny GPT-2 artifacts and the committed IMDb preference set,
 * under the repository root.
 */
final class EmbeddedDefault {
    /**
     * Repository root: system property {@code dpo4j.home} (set by tools/dpo4j, or by {@link #locateHome} for
     * {@code java -jar target/dpo4j-<version>.jar}), else the working directory.
     */
    static final String HOME = "${sys:dpo4j.home:-.}";
    /** Tiny GPT-2 artifacts. */
    static final String ARTIFACTS = HOME + "/artifacts/tiny-gpt2";
    /** Training pairs. */
    static final String TRAIN = HOME + "/artifacts/datasets/imdb-pref/train.jsonl";
    /** Held-out pairs. */
    static final String EVAL = HOME + "/artifacts/datasets/imdb-pref/eval.jsonl";
    /** The iterate demo's judge: a sentiment classifier (positive = higher). */
    static final String JUDGE = "onnx:" + HOME + "/artifacts/judges/sentiment";

    private EmbeddedDefault() {}

    /**
     * When {@code dpo4j.home} is not set and this code runs from a jar in a checkout's {@code target/} directory
     * ({@code <root>/target/dpo4j-<version>.jar}), sets it to that checkout, so the embedded default works from any
     * working directory. Does nothing otherwise (the working directory stays the root).
     */
    static void locateHome() {
        if (System.getProperty("dpo4j.home") != null) {
            return;
        }
        try {
            java.security.CodeSource src = EmbeddedDefault.class.getProtectionDomain().getCodeSource();
            if (src == null) {
                return;
            }
            Path jar = Path.of(src.getLocation().toURI());
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            if (jar.toString().endsWith(".jar") && root != null
                    && java.nio.file.Files.isDirectory(root.resolve("artifacts/tiny-gpt2"))) {
                System.setProperty("dpo4j.home", root.toString());
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // an unusual class source: keep the working directory as the root
        }
    }

    /** @return {@code p} with {@link #HOME} resolved (for defaults used outside picocli) */
    static Path resolve(String p) {
        return Path.of(resolveText(p));
    }

    /** @return {@code text} with {@link #HOME} resolved */
    static String resolveText(String text) {
        return text.replace(HOME, System.getProperty("dpo4j.home", "."));
    }
}
