package io.dpo4j.generate;

/**
 * How the next token is chosen.
 *
 * @param maxNewTokens tokens to generate at most (stops earlier at EOS)
 * @param temperature  0 = greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK         sample among the k most likely tokens; 0 = all
 * @param seed         seed of the sampler
 */
public record SamplingConfig(int maxNewTokens, double temperature, int topK, long seed) {
    /** Validates the settings, naming the option. */
    public SamplingConfig {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens: expected >= 1, found " + maxNewTokens);
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("--temperature: expected a finite value >= 0, found " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k: expected >= 0, found " + topK);
        }
    }

    /** @return greedy decoding of up to {@code maxNewTokens} tokens */
    public static SamplingConfig greedy(int maxNewTokens) {
        return new SamplingConfig(maxNewTokens, 0, 0, 0);
    }
}
