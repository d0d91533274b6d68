package io.dpo4j.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** One generated sequence: its prompt and tokens so far, its own random stream and whether it has finished. */
final class Sequence {
    private final int promptLength;
    private final SplittableRandom random;
    private long[] tokens; // prompt then generated tokens
    private int length;
    private boolean done;

    /**
     * @param prompt the prompt's token ids (at least one)
     * @param sample index of this sample among its prompt's samples (its random stream is seed + sample)
     * @param cfg    sampling settings
     */
    Sequence(long[] prompt, int sample, SamplingConfig cfg) {
        this(prompt, cfg.seed() + sample, cfg);
    }

    /**
     * @param prompt the prompt's token ids (at least one)
     * @param seed   seed of this sequence's random stream
     * @param cfg    sampling settings
     */
    Sequence(long[] prompt, long seed, SamplingConfig cfg) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt: expected at least one token, found none");
        }
        this.promptLength = prompt.length;
        this.random = new SplittableRandom(seed);
        this.tokens = Arrays.copyOf(prompt, prompt.length + cfg.maxNewTokens());
        this.length = prompt.length;
    }

    /** Chooses and appends the next token from the logits row at {@code offset}; returns it. */
    long sample(float[] logits, int offset, int vocab, SamplingConfig cfg) {
        int next = Sampler.next(logits, offset, vocab, cfg, tokens, length, random);
        tokens[length++] = next;
        return next;
    }

    /** Marks the sequence finished when it produced EOS, reached a limit or a stop string. */
    void checkDone(int eos, int maxPositions, SamplingConfig cfg, StopStrings stop) {
        long last = tokens[length - 1];
        int generated = length - promptLength;
        done = done || (generated > 0 && last == eos) || generated >= cfg.maxNewTokens() || length >= maxPositions
                || (generated > 0 && stop.reached(Arrays.copyOfRange(tokens, promptLength, length), generated));
    }

    boolean done() {
        return done;
    }

    /** Tokens so far, prompt included. */
    int length() {
        return length;
    }

    int promptLength() {
        return promptLength;
    }

    long token(int i) {
        return tokens[i];
    }

    long last() {
        return tokens[length - 1];
    }

    /** The generated tokens (the prompt excluded; EOS included when it was produced). */
    long[] generated() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }
}
