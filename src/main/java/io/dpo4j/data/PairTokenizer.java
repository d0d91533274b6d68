package io.dpo4j.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tokenizes preference pairs with an exact prompt/completion boundary.
 *
 * <p>Per completion: the prompt is encoded alone ({@code P}) and together with the completion ({@code J}). When
 * {@code J} starts with {@code P}, the completion ids are {@code J} after {@code P} (the completion tokenized in
 * context). Otherwise a token merged across the boundary; the completion is then encoded on its own and appended
 * (deterministic, the boundary does not move) and the event is counted. No special tokens are added by the
 * tokenizer: BOS is prepended per {@link TokenizerSpec} unless the prompt already starts with it, EOS appended to
 * completions unless already last.
 *
 * <p>Truncation: the prompt is cut to maxPromptLength first (keep start / keep end, a leading BOS survives keep
 * end), then each completion is cut at its end so prompt + completion fits maxLength. A pair whose completion
 * would be empty (or, with an empty prompt, have no counted token), or whose chosen and rejected ids end up
 * identical (e.g. they differed only after the cut, or only by a trailing EOS), is dropped and counted.
 */
public final class PairTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerSpec spec;
    private final DataOptions opts;
    private final AtomicLong pairs = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong merges = new AtomicLong();
    private final AtomicLong promptTruncated = new AtomicLong();
    private final AtomicLong chosenTruncated = new AtomicLong();
    private final AtomicLong rejectedTruncated = new AtomicLong();

    /** Loads a Hugging Face tokenizer.json (offline; no special tokens, truncation or padding by the tokenizer). */
    public PairTokenizer(Path tokenizerJson, TokenizerSpec spec, DataOptions opts) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.opts = Objects.requireNonNull(opts, "opts");
        try {
            this.tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson).optAddSpecialTokens(false)
                    .optTruncation(false).optPadding(false).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** Encodes text without special tokens. */
    public long[] encodeText(String text) {
        return text.isEmpty() ? new long[0] : tokenizer.encode(text, false, false).getIds();
    }

    /** Encodes a prompt as training does: no special tokens from the tokenizer, BOS by the spec (never twice). */
    public long[] encodePrompt(String prompt) {
        return withBos(encodeText(prompt));
    }

    /** Decodes ids to text, special tokens included. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    /** Tokenizes and truncates one pair. */
    public EncodeResult encode(PreferencePair p) {
        pairs.incrementAndGet();
        long[] rawPrompt = encodeText(p.prompt());
        boolean[] merged = new boolean[2];
        long[] chosen = withEos(completion(p.prompt(), rawPrompt, p.chosen(), merged, 0));
        long[] rejected = withEos(completion(p.prompt(), rawPrompt, p.rejected(), merged, 1));
        int mergeCount = (merged[0] ? 1 : 0) + (merged[1] ? 1 : 0);
        merges.addAndGet(mergeCount);
        long[] prompt = withBos(rawPrompt);
        boolean pTrunc = prompt.length > opts.maxPromptLength();
        if (pTrunc) {
            prompt = truncatePrompt(prompt);
            promptTruncated.incrementAndGet();
        }
        int room = opts.maxLength() - prompt.length;
        boolean cTrunc = chosen.length > room;
        boolean rTrunc = rejected.length > room;
        chosen = Arrays.copyOf(chosen, Math.max(0, Math.min(room, chosen.length)));
        rejected = Arrays.copyOf(rejected, Math.max(0, Math.min(room, rejected.length)));
        chosenTruncated.addAndGet(cTrunc ? 1 : 0);
        rejectedTruncated.addAndGet(rTrunc ? 1 : 0);
        String drop = dropReason(prompt.length, chosen, rejected);
        if (drop != null) {
            dropped.incrementAndGet();
            return new EncodeResult(null, p.source() + ": " + drop, mergeCount, pTrunc, cTrunc, rTrunc);
        }
        return new EncodeResult(new TokenizedPair(p, prompt, chosen, rejected), null, mergeCount, pTrunc, cTrunc, rTrunc);
    }

    private long[] completion(String promptText, long[] rawPrompt, String text, boolean[] merged, int slot) {
        if (rawPrompt.length == 0) {
            return encodeText(text);
        }
        long[] joint = encodeText(promptText + text);
        if (joint.length > rawPrompt.length && Arrays.equals(joint, 0, rawPrompt.length, rawPrompt, 0, rawPrompt.length)) {
            return Arrays.copyOfRange(joint, rawPrompt.length, joint.length);
        }
        merged[slot] = true;
        return encodeText(text);
    }

    private long[] withBos(long[] prompt) {
        if (!spec.addBos() || (prompt.length > 0 && prompt[0] == spec.bosId())) {
            return prompt;
        }
        long[] out = new long[prompt.length + 1];
        out[0] = spec.bosId();
        System.arraycopy(prompt, 0, out, 1, prompt.length);
        return out;
    }

    private long[] withEos(long[] completion) {
        if (!spec.addEosToCompletion() || (completion.length > 0 && completion[completion.length - 1] == spec.eosId())) {
            return completion;
        }
        long[] out = Arrays.copyOf(completion, completion.length + 1);
        out[completion.length] = spec.eosId();
        return out;
    }

    private long[] truncatePrompt(long[] prompt) {
        int max = opts.maxPromptLength();
        if (opts.truncationMode() == TruncationMode.KEEP_START) {
            return Arrays.copyOf(prompt, max);
        }
        boolean keepBos = spec.bosId() != null && prompt[0] == spec.bosId() && max > 1;
        if (!keepBos) {
            return Arrays.copyOfRange(prompt, prompt.length - max, prompt.length);
        }
        long[] out = new long[max];
        out[0] = prompt[0];
        System.arraycopy(prompt, prompt.length - (max - 1), out, 1, max - 1);
        return out;
    }

    private String dropReason(int promptLen, long[] chosen, long[] rejected) {
        int minTokens = promptLen == 0 ? 2 : 1; // with no prompt the token at position 0 is never counted
        if (chosen.length < minTokens || rejected.length < minTokens) {
            return "dropped: expected >= " + minTokens + " completion token(s) after truncation (prompt " + promptLen
                    + " tokens, max length " + opts.maxLength() + "), found chosen " + chosen.length + " / rejected "
                    + rejected.length;
        }
        if (Arrays.equals(chosen, rejected)) { // no preference signal left: the loss would be a constant
            return "dropped: expected chosen and rejected to differ after EOS handling and truncation (prompt "
                    + promptLen + " tokens, max length " + opts.maxLength() + "), found the identical "
                    + chosen.length + " token ids";
        }
        return null;
    }

    /** Totals so far. */
    public Counters counters() {
        long n = pairs.get();
        long d = dropped.get();
        return new Counters(n, n - d, d, merges.get(), promptTruncated.get(), chosenTruncated.get(),
                rejectedTruncated.get());
    }

    /** The special-token policy. */
    public TokenizerSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
