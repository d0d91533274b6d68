package io.dpo4j.dpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LossConfigTest {
    @Test
    void nonPositiveBetaFailsNamingTheOption() {
        assertThatThrownBy(() -> new LossConfig(LossVariant.SIGMOID, 0, 0, 0, 0.5, 0, false))
                .hasMessageContaining("beta").hasMessageContaining("> 0").hasMessageContaining("found 0.0");
        assertThatThrownBy(() -> new LossConfig(LossVariant.SIGMOID, -1, 0, 0, 0.5, 0, false))
                .hasMessageContaining("found -1.0");
    }

    @Test
    void unknownVariantListsValidOnes() {
        assertThatThrownBy(() -> LossVariant.parse("kto"))
                .hasMessageContaining("unknown loss variant 'kto'")
                .hasMessageContaining("sigmoid, robust, hinge, ipo, simpo");
    }

    @Test
    void labelSmoothingMustStayBelowHalf() {
        assertThatThrownBy(() -> new LossConfig(LossVariant.ROBUST, 0.1, 0.5, 0, 0.5, 0, false))
                .hasMessageContaining("label_smoothing");
    }

    @Test
    void lossMixIsOneHotInManifestOrder() {
        assertThat(LossConfig.defaults().withVariant(LossVariant.IPO).lossMix()).containsExactly(0f, 0f, 0f, 1f, 0f);
        assertThat(LossVariant.parse(" SimPO ")).isEqualTo(LossVariant.SIMPO);
    }

    @Test
    void referenceFreeAndSimpoIgnoreTheReference() {
        assertThat(LossConfig.defaults().usesReference()).isTrue();
        assertThat(LossConfig.defaults().withVariant(LossVariant.SIMPO).usesReference()).isFalse();
        assertThat(new LossConfig(LossVariant.SIGMOID, 0.1, 0, 0, 0.5, 0, true).usesReference()).isFalse();
    }

    @Test
    void lengthTargetAndLambdaMustBeFiniteAndNonNegative() {
        LossConfig d = LossConfig.defaults();
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> d.withLengthTarget(bad, 0.01)).hasMessageContaining("length_target")
                    .hasMessageContaining(">= 0").hasMessageContaining("found " + bad);
            assertThatThrownBy(() -> d.withLengthTarget(10, bad)).hasMessageContaining("length_lambda")
                    .hasMessageContaining(">= 0").hasMessageContaining("found " + bad);
        }
        LossConfig on = d.withLengthTarget(0, 0.01); // L = 0 is a valid target: a pure squared-length penalty
        assertThat(on.usesLengthTarget()).isTrue();
        assertThat(on.withVariant(LossVariant.HINGE).lengthLambda()).isEqualTo(0.01);
    }

    @Test
    void theTermIsOffByDefaultAndInTheShortConstructor() {
        assertThat(LossConfig.defaults().usesLengthTarget()).isFalse();
        LossConfig shortForm = new LossConfig(LossVariant.SIGMOID, 0.1, 0, 0, 0.5, 0, false);
        assertThat(shortForm).isEqualTo(LossConfig.defaults());
        assertThat(shortForm.lengthTarget()).isZero();
        assertThat(shortForm.lengthLambda()).isZero();
    }
}
