package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Against the closed forms of Hugging Face's get_{constant,linear,cosine}_schedule_with_warmup. */
class LrScheduleTest {
    @Test
    void warmupThenLinearDecay() {
        LrSchedule s = new LrSchedule(LrSchedule.Kind.LINEAR, 1.0, 10, 110);
        assertThat(s.at(0)).isEqualTo(0.0);
        assertThat(s.at(5)).isCloseTo(0.5, within(1e-15));
        assertThat(s.at(10)).isCloseTo(1.0, within(1e-15));
        assertThat(s.at(60)).isCloseTo(0.5, within(1e-15));
        assertThat(s.at(110)).isEqualTo(0.0);
    }

    @Test
    void cosineHalfWayIsHalf() {
        LrSchedule s = new LrSchedule(LrSchedule.Kind.COSINE, 2.0, 0, 100);
        assertThat(s.at(0)).isCloseTo(2.0, within(1e-15));
        assertThat(s.at(50)).isCloseTo(1.0, within(1e-12));
        assertThat(s.at(25)).isCloseTo(1.0 + Math.cos(Math.PI / 4), within(1e-12));
    }

    @Test
    void constantAndBadNames() {
        assertThat(new LrSchedule(LrSchedule.Kind.CONSTANT, 3e-3, 0, 5).at(4)).isEqualTo(3e-3);
        assertThatThrownBy(() -> LrSchedule.Kind.parse("exp")).hasMessageContaining("constant, linear, cosine");
        assertThatThrownBy(() -> new LrSchedule(LrSchedule.Kind.LINEAR, 0, 0, 5)).hasMessageContaining("> 0");
    }
}
