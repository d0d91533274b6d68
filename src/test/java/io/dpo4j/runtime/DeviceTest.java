package io.dpo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceTest {
    @Test
    void parsesTheThreeForms() {
        assertThat(Device.parse("cpu")).isEqualTo(Device.CPU);
        assertThat(Device.parse("CUDA")).isEqualTo(new Device(Device.Kind.CUDA, 0));
        assertThat(Device.parse(" cuda:3 ")).isEqualTo(Device.cuda(3));
        assertThat(Device.cuda(2).toString()).isEqualTo("cuda:2");
    }

    @Test
    void rejectsOtherFormsListingTheValidOnes() {
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:1", ""}) {
            assertThatThrownBy(() -> Device.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"cpu\", \"cuda\", \"cuda:N\"")
                    .hasMessageContaining("found \"" + bad + "\"");
        }
        assertThatThrownBy(() -> new Device(Device.Kind.CPU, 1)).hasMessageContaining("expected 0, found 1");
    }
}
