package io.dpo4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KV-cache generator on its own terms: a left-padded batch of prompts of different lengths equals each prompt run
 * alone, the cache path equals the no-cache path over 40 tokens (greedy and seeded sampling with every filter), and
 * EOS, stop strings and the position limit end each sequence of a batch independently.
 */
class KvCacheGeneratorTest {
    private static final SamplingConfig SAMPLED = new SamplingConfig(40, 0.1, 30, 0.9, 1.2, 2, 5, List.of());
    private static OrtEnvironment env;

    @BeforeAll
    static void open() {
        env = OrtEnvironment.create("kv-cache-generator");
    }

    @AfterAll
    static void close() {
        env.close();
    }

    private static InferenceSession session(String model, String graph) {
        return InferenceSession.open(env, SessionConfig.cpuDefaults(), Path.of("artifacts", model, graph));
    }

    /** Prompts of lengths 1, 7, 19 and 4 with seeded random ids. */
    private static List<long[]> prompts() {
        SplittableRandom r = new SplittableRandom(99);
        List<long[]> out = new ArrayList<>();
        for (int len : new int[] {1, 7, 19, 4}) {
            out.add(r.longs(len, 0, 4000).toArray());
        }
        return out;
    }

    private static String show(List<long[]> rows) {
        return rows.stream().map(Arrays::toString).collect(Collectors.joining("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void batchOfDifferentLengthsEqualsOneAtATime(String model) {
        try (InferenceSession s = session(model, KvCacheGenerator.GRAPH)) {
            KvCacheGenerator gen = GenerationGoldensTest.kv(s, model);
            for (SamplingConfig cfg : List.of(SamplingConfig.greedy(40), SAMPLED)) {
                List<long[]> batched = gen.generate(prompts(), cfg, StopStrings.NONE);
                List<long[]> alone = new ArrayList<>();
                for (long[] p : prompts()) {
                    alone.addAll(gen.generate(List.of(p), cfg, StopStrings.NONE));
                }
                assertThat(show(batched)).as(cfg.toString()).isEqualTo(show(alone));
                assertThat(batched).hasSize(4 * cfg.samples()).allSatisfy(r -> assertThat(r).hasSize(40));
            }
        }
    }

    /** A seed per prompt: prompt i's samples equal that prompt run alone with seed seeds[i]; one seed for all is the plain call. */
    @Test
    void aSeedPerPromptEqualsEachPromptAloneWithItsSeed() {
        SamplingConfig hot = new SamplingConfig(12, 1.0, 0, 1.0, 1.0, 2, 0, List.of());
        long[] seeds = {100, 7, 100, -3};
        try (InferenceSession s = session("tiny-gpt2", KvCacheGenerator.GRAPH)) {
            KvCacheGenerator gen = GenerationGoldensTest.kv(s, "tiny-gpt2");
            List<long[]> batched = gen.generate(prompts(), hot, StopStrings.NONE, seeds);
            List<long[]> alone = new ArrayList<>();
            for (int i = 0; i < seeds.length; i++) {
                SamplingConfig own = new SamplingConfig(12, 1.0, 0, 1.0, 1.0, 2, seeds[i], List.of());
                alone.addAll(gen.generate(List.of(prompts().get(i)), own, StopStrings.NONE));
            }
            assertThat(show(batched)).isEqualTo(show(alone));
            assertThat(show(gen.generate(prompts(), hot, StopStrings.NONE, new long[4])))
                    .isEqualTo(show(gen.generate(prompts(), hot, StopStrings.NONE)));
            assertThat(show(List.of(batched.get(0)))).isNotEqualTo(show(List.of(batched.get(2)))); // other prompt
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void kvCachePathEqualsNoCachePath(String model) {
        try (InferenceSession kvs = session(model, KvCacheGenerator.GRAPH);
             InferenceSession full = session(model, "inference_model.onnx")) {
            KvCacheGenerator kv = GenerationGoldensTest.kv(kvs, model);
            Generator plain = new Generator(full, -1, 256);
            for (SamplingConfig cfg : List.of(SamplingConfig.greedy(40), SAMPLED)) {
                assertThat(show(kv.generate(prompts(), cfg, StopStrings.NONE)))
                        .isEqualTo(show(plain.generate(prompts(), cfg, StopStrings.NONE)));
            }
        }
    }

    @Test
    void eosStopStringsAndPositionLimitEndRowsIndependently() {
        try (InferenceSession s = session("tiny-llama", KvCacheGenerator.GRAPH)) {
            List<long[]> free = GenerationGoldensTest.kv(s, "tiny-llama").generate(prompts(), SamplingConfig.greedy(20),
                    StopStrings.NONE);
            long eos = free.get(1)[5];
            int[] shape = {2, 16};
            List<long[]> stopped = new KvCacheGenerator(s, shape[0], shape[1], (int) eos, 256)
                    .generate(prompts(), SamplingConfig.greedy(20), StopStrings.NONE);
            for (int r = 0; r < free.size(); r++) {
                assertThat(stopped.get(r)).containsExactly(untilFirst(free.get(r), eos));
            }
            // Stop strings over a decoder that names each id: stops right after the token completing the string.
            long mark = free.get(2)[7];
            StopStrings stop = new StopStrings(List.of("<" + mark + ">"), ids -> Arrays.stream(ids)
                    .mapToObj(i -> "<" + i + ">").collect(Collectors.joining()));
            List<long[]> cut = GenerationGoldensTest.kv(s, "tiny-llama").generate(prompts(),
                    SamplingConfig.greedy(20), stop);
            for (int r = 0; r < free.size(); r++) {
                assertThat(cut.get(r)).containsExactly(untilFirst(free.get(r), mark));
            }
            // maxPositions 12: the 19-token prompt generates nothing, the 7-token one 5 tokens.
            List<long[]> limited = new KvCacheGenerator(s, 2, 16, -1, 12).generate(prompts(),
                    SamplingConfig.greedy(20), StopStrings.NONE);
            assertThat(limited.stream().mapToInt(r -> r.length)).containsExactly(11, 5, 0, 8);
            assertThat(limited.get(1)).containsExactly(Arrays.copyOf(free.get(1), 5));
        }
    }

    private static long[] untilFirst(long[] row, long token) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == token) {
                return Arrays.copyOf(row, i + 1);
            }
        }
        return row;
    }

    @Test
    void aGraphWithoutCacheInputsIsRejectedByName() {
        try (InferenceSession s = session("tiny-gpt2", "inference_model.onnx")) {
            assertThatThrownBy(() -> new KvCacheGenerator(s, 4, 16, -1, 256))
                    .hasMessageContaining("expected a graph with inputs input_ids, attention_mask, position_ids")
                    .hasMessageContaining("found inputs [input_ids, attention_mask]");
        }
    }
}
