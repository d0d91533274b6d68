package io.dpo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void floatsRoundTripWithShape() {
        try (Tensor t = Tensor.ofFloats(new float[] {1f, -2.5f, 3e-8f, Float.MAX_VALUE, 0f, 6f}, 2, 3)) {  // (2, 3)
            assertThat(t.shape()).containsExactly(2, 3);
            assertThat(t.type()).isEqualTo(ElementType.FLOAT);
            assertThat(t.toFloats()).containsExactly(1f, -2.5f, 3e-8f, Float.MAX_VALUE, 0f, 6f);
        }
    }

    @Test
    void longsAndBooleansRoundTrip() {
        try (Tensor l = Tensor.ofLongs(new long[] {Long.MIN_VALUE, 0, 50256}, 3);
                Tensor b = Tensor.ofBooleans(new boolean[] {true, false}, 2)) {
            assertThat(l.toLongs()).containsExactly(Long.MIN_VALUE, 0, 50256);
            assertThat(l.type()).isEqualTo(ElementType.INT64);
            assertThat(b.toBooleans()).containsExactly(true, false);
        }
    }

    @Test
    void scalarAndEmptyTensors() {
        try (Tensor s = Tensor.scalarFloat(0.1f); Tensor e = Tensor.ofFloats(new float[0], 0, 4)) {  // (1), (0, 4)
            assertThat(s.shape()).containsExactly(1);
            assertThat(s.floatValue()).isEqualTo(0.1f);
            assertThat(e.toFloats()).isEmpty();
            assertThat(e.shape()).containsExactly(0, 4);
        }
    }

    @Test
    void rejectsMismatchedShapesAndTypes() {
        assertThatThrownBy(() -> Tensor.ofFloats(new float[5], 2, 3))
                .hasMessageContaining("expected 6 elements, found 5");
        try (Tensor t = Tensor.ofLongs(new long[] {1, 2}, 2)) {
            assertThatThrownBy(t::toFloats).hasMessageContaining("expected element type FLOAT, found INT64");
            assertThatThrownBy(t::floatValue).hasMessageContaining("expected a tensor with 1 element");
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        Tensor t = Tensor.ofFloats(new float[] {1f}, 1);
        t.close();
        t.close();
        assertThatThrownBy(t::toFloats).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void copyFloatsCopiesOneRowAndChecksBounds() {
        try (Tensor t = Tensor.ofFloats(new float[] {0f, 1f, 2f, 3f, 4f, 5f}, 2, 3)) {  // (2, 3)
            float[] row = new float[3];
            t.copyFloats(3, row);
            assertThat(row).containsExactly(3f, 4f, 5f);
            t.copyFloats(1, row);
            assertThat(row).containsExactly(1f, 2f, 3f);
            assertThatThrownBy(() -> t.copyFloats(4, row)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("expected elements [4, 7) inside tensor [2, 3] of 6 elements");
            assertThatThrownBy(() -> t.copyFloats(-1, row)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        try (Tensor l = Tensor.ofLongs(new long[] {1, 2}, 2)) {
            assertThatThrownBy(() -> l.copyFloats(0, new float[1])).hasMessageContaining("expected element type FLOAT");
        }
    }
}
