package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.artifacts.GraphContract;
import io.dpo4j.data.Batch;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Feeding a training/eval graph by its declared inputs: iLR-DPO's {@code length_target} / {@code length_lambda} go
 * to graphs that have them; graphs exported before them (older artifacts) are fed without them while λ = 0, and
 * refused with a message naming what was expected and found while λ ≠ 0.
 */
class GraphFeedsTest {
    private static final List<String> OLD_INPUTS = GraphContract.TRAIN_INPUTS;
    private static final List<String> NEW_INPUTS = concat(GraphContract.TRAIN_INPUTS, GraphContract.LENGTH_INPUTS);

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    private static Batch batch() {
        // B = 1: chosen and rejected rows of T = 3
        return new Batch(1, 3, new long[] {5, 6, 7, 5, 6, 8}, new long[] {1, 1, 1, 1, 1, 1},
                new long[] {0, 1, 1, 0, 1, 1});
    }

    private static LossInputs inputs(LossConfig cfg) {
        return LossInputs.of(cfg, new float[] {-3f}, new float[] {-4f}, new float[] {1f}, new float[] {1f}, 1f);
    }

    @Test
    void newGraphsGetTargetAndLambdaAsFed() {
        LossConfig cfg = LossConfig.defaults().withLengthTarget(12, 0.25);
        List<Tensor> feeds = GraphFeeds.forTraining(NEW_INPUTS, batch(), inputs(cfg));
        try {
            assertThat(feeds).hasSize(NEW_INPUTS.size());
            assertThat(feeds.get(NEW_INPUTS.indexOf("length_target")).toFloats()).containsExactly(12f);
            assertThat(feeds.get(NEW_INPUTS.indexOf("length_lambda")).toFloats()).containsExactly(0.25f);
        } finally {
            feeds.forEach(Tensor::close);
        }
    }

    @Test
    void olderGraphsWithoutTheInputsKeepWorkingWhileLambdaIsZero() {
        LossConfig cfg = LossConfig.defaults().withLengthTarget(12, 0); // L set, term off
        List<Tensor> feeds = GraphFeeds.forTraining(OLD_INPUTS, batch(), inputs(cfg));
        try {
            assertThat(feeds).hasSize(OLD_INPUTS.size());
        } finally {
            feeds.forEach(Tensor::close);
        }
    }

    @Test
    void olderGraphsAreRefusedWhenLambdaIsOnNamingExpectedFoundAndTheFix() {
        LossConfig cfg = LossConfig.defaults().withLengthTarget(12, 0.01);
        assertThatThrownBy(() -> GraphFeeds.forTraining(OLD_INPUTS, batch(), inputs(cfg)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--length-lambda 0.01")
                .hasMessageContaining("expected the training/eval graph to have the inputs [length_target, length_lambda]")
                .hasMessageContaining("found " + OLD_INPUTS)
                .hasMessageContaining("re-export with tools/export/export.py");
    }
}
