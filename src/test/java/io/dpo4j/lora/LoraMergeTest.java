package io.dpo4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.artifacts.LoraSection;
import org.junit.jupiter.api.Test;

/** W + s·BA for nn.Linear (W (out, in)) and its transpose for Conv1D (W (in, out)), on hand-computed 2x3 cases. */
class LoraMergeTest {
    // r = 2, in = 3, out = 2: A (2, 3), B (2, 2)
    private static final float[] A = {1, 2, 3, -1, 0, 1};
    private static final float[] B = {1, 0, 2, -1};
    // BA = [[1, 2, 3], [2*1 + -1*-1, 4 + 0, 6 - 1]] = [[1, 2, 3], [3, 4, 5]]

    @Test
    void linearAddsScaledBaToTheOutInWeight() {
        LoraSection.Adapter a = new LoraSection.Adapter("m", "m.weight", "m.lora_A.weight", "m.lora_B.weight", 3, 2,
                false);
        float[] w = {10, 20, 30, 40, 50, 60}; // (out 2, in 3)
        assertThat(LoraMerge.merge(w, A, B, a, 2, 0.5)).containsExactly(10.5f, 21, 31.5f, 41.5f, 52, 62.5f);
        assertThat(w).containsExactly(10, 20, 30, 40, 50, 60); // the input is not modified
    }

    @Test
    void fanInFanOutAddsTheTranspose() {
        LoraSection.Adapter a = new LoraSection.Adapter("c", "c.weight", "c.lora_A.weight", "c.lora_B.weight", 3, 2,
                true);
        float[] w = {0, 0, 0, 0, 0, 0}; // (in 3, out 2)
        assertThat(LoraMerge.merge(w, A, B, a, 2, 2.0)).containsExactly(2, 6, 4, 8, 6, 10);
    }

    @Test
    void wrongSizesAreNamed() {
        LoraSection.Adapter a = new LoraSection.Adapter("m", "m.weight", "m.lora_A.weight", "m.lora_B.weight", 3, 2,
                false);
        assertThatThrownBy(() -> LoraMerge.merge(new float[6], new float[5], B, a, 2, 1.0))
                .hasMessage("lora_A m.lora_A.weight: expected 6 values, found 5");
    }
}
