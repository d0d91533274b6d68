package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
    @Test
    void eachEpochVisitsEveryPairOnceAndIsReproducible() {
        BatchPlan plan = new BatchPlan(10, 3, 7, false);
        assertThat(plan.batchesPerEpoch()).isEqualTo(4);
        int[] seen = IntStream.range(0, 4).flatMap(k -> Arrays.stream(plan.batch(k))).sorted().toArray();
        assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(new BatchPlan(10, 3, 7, false).batch(5)).containsExactly(plan.batch(5));
        assertThat(plan.batch(0)).isNotEqualTo(plan.batch(4)); // epoch 1 is reshuffled
        assertThat(plan.epochOf(5)).isEqualTo(1);
    }

    @Test
    void dropLastKeepsFullBatches() {
        BatchPlan plan = new BatchPlan(10, 3, 7, true);
        assertThat(plan.batchesPerEpoch()).isEqualTo(3);
        assertThat(plan.batch(2)).hasSize(3);
    }
}
