package io.dpo4j.generate;

import java.util.List;

/**
 * How the next token is chosen, applied in Hugging Face transformers' order: repetition penalty, temperature, top-k,
 * top-p, then one draw from the remaining distribution.
 *
 * @param maxNewTokens      tokens to generate at most per sequence (stops earlier at EOS or a stop string)
 * @param temperature       0 = greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK              sample among the k highest-scoring tokens (ties with the k-th kept); 0 = all
 * @param topP              nucleus sampling: keep the most likely tokens whose probabilities sum to at least p
 *                          (transformers' TopPLogitsWarper); 1 = all
 * @param repetitionPenalty transformers' definition: a logit of a token already in the sequence (prompt included) is
 *                          divided by it when positive, multiplied by it when negative; 1 = off
 * @param samples           sequences generated per prompt
 * @param seed              seed of the sampler; sample j of every prompt draws from {@code SplittableRandom(seed + j)}
 * @param stopStrings       generation of a sequence stops once its decoded completion contains one of them
 */
public record SamplingConfig(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty,
                             int samples, long seed, List<String> stopStrings) {
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
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p: expected a value in (0, 1], found " + topP);
        }
        if (!(repetitionPenalty > 0) || !Double.isFinite(repetitionPenalty)) {
            throw new IllegalArgumentException("--repetition-penalty: expected a finite value > 0, found "
                    + repetitionPenalty);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("--num-samples: expected >= 1, found " + samples);
        }
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("--stop: expected a non-empty string, found \"\"");
            }
        }
    }

    /** Temperature / top-k sampling of one sequence per prompt, no top-p, penalty or stop strings. */
    public SamplingConfig(int maxNewTokens, double temperature, int topK, long seed) {
        this(maxNewTokens, temperature, topK, 1.0, 1.0, 1, seed, List.of());
    }

    /** @return greedy decoding of up to {@code maxNewTokens} tokens */
    public static SamplingConfig greedy(int maxNewTokens) {
        return new SamplingConfig(maxNewTokens, 0, 0, 0);
    }

    /** @return true when the next token is the argmax (temperature 0) */
    public boolean isGreedy() {
        return temperature == 0;
    }
}
