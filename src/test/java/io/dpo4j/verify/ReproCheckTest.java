package io.dpo4j.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.data.DataOptions;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.runtime.Device;
import io.dpo4j.train.LrSchedule;
import io.dpo4j.train.TrainConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With 2 intra-op threads (the embedding is exported as GatherElements, whose CPU gradient is deterministic):
 * same seed twice → bit-identical losses over 20 steps; stopping at the step-10 checkpoint and resuming to step 20
 * gives the uninterrupted run's bits (with gradient accumulation 2 and a warmup + linear schedule).
 */
class ReproCheckTest {
    @TempDir
    Path tmp;

    private TrainConfig config(String model) {
        return TrainConfig.builder(Path.of("artifacts", model), Path.of("artifacts/datasets/imdb-pref/train.jsonl"))
                .evalFraction(0.1).data(DataOptions.defaults().withLengths(128, 64)).batchSize(4).gradAccum(2)
                .epochs(1).maxSteps(20).learningRate(2e-3).schedule(LrSchedule.Kind.LINEAR).warmupRatio(0.1)
                .seed(11).logEvery(5).outputDir(tmp.resolve("out")).cacheDir(tmp.resolve("cache"))
                .device(Device.CPU).threads(2).deterministic(true).progress(false).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void sameSeedTwiceIsBitIdentical(String model) {
        CheckResult r = ReproCheck.determinism(config(model), tmp.resolve("det"), System.err);
        assertThat(r.passed()).as(r.toString()).isTrue();
        assertThat(r.detail()).contains("all 20 step losses bit-identical");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gpt2", "tiny-llama"})
    void resumeFromStep10MatchesUninterruptedRun(String model) {
        CheckResult r = ReproCheck.resume(config(model), 10, tmp.resolve("resume"), System.err);
        assertThat(r.passed()).as(r.toString()).isTrue();
        assertThat(r.detail()).contains("all 10 step losses bit-identical");
    }
}
