package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dpo4j.artifacts.ArtifactSet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** BOS/EOS policy and truncation rules on the tiny Llama tokenizer (add_bos = true, bos 1, eos 2). */
class PairTokenizerTest {

    private static final Path LLAMA = TestFiles.artifact("tiny-llama");

    private static PairTokenizer tokenizer(int maxLength, int maxPrompt, TruncationMode mode) {
        DataOptions opts = new DataOptions(FieldNames.DEFAULTS, OnBadRow.FAIL, null, maxLength, maxPrompt, mode);
        return new PairTokenizer(LLAMA.resolve("tokenizer.json"), TokenizerSpec.from(ArtifactSet.load(LLAMA).manifest().specialTokens()), opts);
    }

    @Test
    void bosAndEosAreNeverDuplicated() {
        try (PairTokenizer t = tokenizer(512, 256, TruncationMode.KEEP_END)) {
            TokenizedPair plain = t.encode(PreferencePair.of("a", "Hello", " world", " there", "t:1")).tokenized();
            TokenizedPair marked = t.encode(PreferencePair.of("b", "<s>Hello", " world</s>", " there</s>", "t:2")).tokenized();
            assertEquals(1L, plain.promptIds()[0]);
            assertThat(plain.promptIds()).containsOnlyOnce(1L);
            assertThat(marked.promptIds()).containsOnlyOnce(1L).startsWith(1L);
            assertEquals(2L, plain.chosenIds()[plain.chosenIds().length - 1]);
            assertThat(marked.chosenIds()).containsOnlyOnce(2L).endsWith(2L);
            assertThat(marked.rejectedIds()).containsOnlyOnce(2L).endsWith(2L);
        }
    }

    @Test
    void keepEndKeepsBosAndTheEndOfThePrompt() {
        String prompt = "one two three four five six seven eight nine ten";
        try (PairTokenizer full = tokenizer(512, 256, TruncationMode.KEEP_END);
             PairTokenizer endT = tokenizer(12, 4, TruncationMode.KEEP_END);
             PairTokenizer startT = tokenizer(12, 4, TruncationMode.KEEP_START)) {
            long[] all = full.encode(PreferencePair.of("a", prompt, " yes", " no", "t:1")).tokenized().promptIds();
            long[] end = endT.encode(PreferencePair.of("a", prompt, " yes", " no", "t:1")).tokenized().promptIds();
            long[] start = startT.encode(PreferencePair.of("a", prompt, " yes", " no", "t:1")).tokenized().promptIds();
            assertThat(end).containsExactly(1, all[all.length - 3], all[all.length - 2], all[all.length - 1]);
            assertThat(start).containsExactly(all[0], all[1], all[2], all[3]);
            assertEquals(2, endT.counters().promptTruncated() + startT.counters().promptTruncated());
        }
    }

    @Test
    void completionCutAtItsEndAndEmptyCompletionDropped() {
        try (PairTokenizer t = tokenizer(6, 6, TruncationMode.KEEP_START)) {
            EncodeResult cut = t.encode(PreferencePair.of("a", "Hi", " one two three four five", " ok", "t:1"));
            assertThat(cut.kept()).isTrue();
            assertEquals(6, cut.tokenized().chosenLength());
            assertThat(cut.chosenTruncated()).isTrue();
            assertThat(cut.rejectedTruncated()).isFalse();
            EncodeResult dropped = t.encode(PreferencePair.of("b", "one two three four five six seven", " a", " b", "t:2"));
            assertThat(dropped.kept()).isFalse();
            assertThat(dropped.pair()).isEmpty();
            assertThat(dropped.dropReason()).startsWith("t:2: dropped");
            Counters c = t.counters();
            assertEquals(2, c.pairs());
            assertEquals(1, c.kept());
            assertEquals(1, c.dropped());
        }
    }
}
