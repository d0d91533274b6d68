package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.data.PreferencePair;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference cache keeps what a failing pass computed, a rerun only computes what is missing, and a complete cache
 * never loads the reference model.
 */
class ReferencePassTest {
    private static final Path MODEL = Path.of("artifacts/tiny-gpt2/reference_model.onnx");

    @TempDir
    Path tmp;

    private static TokenizedPair pair(int i, long badId) {
        PreferencePair src = new PreferencePair("p" + i, "prompt", "a", "b", 1.0, 1.0, "test:" + i);
        return new TokenizedPair(src, new long[] {10 + i, 11, 12}, new long[] {20, 21 + i}, new long[] {30, badId});
    }

    @Test
    void failedPassKeepsComputedPairsAndRerunFillsTheRest() {
        List<TokenizedPair> pairs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(pair(i, 31));
        }
        pairs.add(pair(4, 99_999)); // not in the 4,096-token vocabulary: the second batch fails in ORT
        try (OrtEnvironment env = OrtEnvironment.create("test");
             InferenceSession s = InferenceSession.open(env, SessionConfig.cpuDefaults(), MODEL)) {
            ReferenceCache cache = ReferenceCache.open(tmp, "model", "data", "settings");
            assertThatThrownBy(() -> ReferencePass.compute(s, pairs, 4, 4095, cache, n -> { }));

            ReferenceCache reopened = ReferenceCache.open(tmp, "model", "data", "settings");
            assertThat(reopened.size()).isEqualTo(4);
            List<TokenizedPair> good = pairs.subList(0, 4);
            float[][] fromCache = ReferencePass.compute(s, good, 4, 4095, reopened, n -> { });
            float[][] fresh = ReferencePass.compute(s, good, 4, 4095,
                    ReferenceCache.open(tmp.resolve("other"), "model", "data", "settings"), n -> { });
            assertThat(fromCache[0]).containsExactly(fresh[0]);
            assertThat(fromCache[1]).containsExactly(fresh[1]);
            assertThat(ReferenceCache.open(tmp, "other-model", "data", "settings").size()).isZero();
        }
    }

    @Test
    void completeCacheNeverOpensTheReferenceModel() {
        List<TokenizedPair> train = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            train.add(pair(i, 31));
        }
        List<TokenizedPair> eval = List.of(pair(7, 32));
        int[] opened = {0};
        try (OrtEnvironment env = OrtEnvironment.create("test")) {
            java.util.function.Supplier<InferenceSession> opener = () -> {
                opened[0]++;
                return InferenceSession.open(env, SessionConfig.cpuDefaults(), MODEL);
            };
            float[][][] first = ReferencePass.forPairs(opener, train, eval, 2, 4095,
                    ReferenceCache.open(tmp, "model", "data", "settings"));
            assertThat(opened[0]).isEqualTo(1);
            float[][][] second = ReferencePass.forPairs(opener, train, eval, 2, 4095,
                    ReferenceCache.open(tmp, "model", "data", "settings"));
            assertThat(opened[0]).as("sessions opened after a complete cache").isEqualTo(1);
            for (int split = 0; split < 2; split++) {
                for (int side = 0; side < 2; side++) {
                    assertThat(second[split][side]).containsExactly(first[split][side]);
                }
            }
            assertThat(first[1][0]).hasSize(1);
        }
    }
}
