package io.dpo4j.generate;

import java.util.List;

/** Autoregressive generation of token ids from prompts; implementations hold an ONNX Runtime session. */
public interface TokenGenerator {
    /**
     * Generates {@link SamplingConfig#samples()} sequences per prompt.
     *
     * @param prompts token ids of each prompt (each at least one token)
     * @param cfg     sampling settings
     * @param stop    stop strings (or {@link StopStrings#NONE})
     * @return the generated ids (prompt excluded, EOS included when produced), prompt-major: prompt 0's samples
     *         0..n-1, then prompt 1's, ...
     */
    List<long[]> generate(List<long[]> prompts, SamplingConfig cfg, StopStrings stop);

    /** The first sample for one prompt, without stop strings. */
    default long[] generate(long[] prompt, SamplingConfig cfg) {
        return generate(List.of(prompt), cfg, StopStrings.NONE).get(0);
    }

    /** @return a short name of the method, for messages ("KV cache" / "no cache") */
    String method();
}
