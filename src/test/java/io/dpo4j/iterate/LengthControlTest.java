package io.dpo4j.iterate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The effective judge and λ of every combination of --length-target, --judge and --length-lambda. */
class LengthControlTest {
    private static final List<String> DEMO = List.of("onnx:/x/judges/sentiment");
    private static final String W = IterateDefaults.LENGTH_JUDGE_WEIGHT;
    private static final double K = Double.parseDouble(IterateDefaults.LENGTH_LAMBDA_SCALE);

    @Test
    void withoutATargetNothingIsAdded() {
        LengthControl none = LengthControl.resolve(0, List.of(), DEMO, null);
        assertThat(none.judgeSpecs()).isEqualTo(DEMO);
        assertThat(none.lengthLambda()).isZero();
        assertThat(none.judgeAdded()).isFalse();
        assertThat(none.lambdaDefaulted()).isFalse();
        LengthControl given = LengthControl.resolve(0, List.of("cmd:j"), DEMO, 0.01); // train's own term, L = 0
        assertThat(given.judgeSpecs()).containsExactly("cmd:j");
        assertThat(given.lengthLambda()).isEqualTo(0.01);
    }

    @Test
    void aTargetAloneAddsTheLengthJudgeAndTheDefaultLambda() {
        LengthControl c = LengthControl.resolve(32, List.of(), DEMO, null);
        assertThat(c.judgeSpecs()).containsExactly("onnx:/x/judges/sentiment", "length:32@" + W);
        assertThat(c.lengthLambda()).isEqualTo(K / 1024.0);
        assertThat(c.judgeAdded()).isTrue();
        assertThat(c.lambdaDefaulted()).isTrue();
        assertThat(c.describe(32)).isEqualTo("judge: onnx:/x/judges/sentiment + length:32@" + W
                + " (length judge added: --length-target 32, no --judge given); length-lambda: " + K / 1024.0
                + " (default " + IterateDefaults.LENGTH_LAMBDA_SCALE + "/L^2 for --length-target 32)");
    }

    @Test
    void anExplicitLambdaZeroKeepsTheLossPlainButTheJudgeIsStillAdded() {
        LengthControl c = LengthControl.resolve(32, List.of(), DEMO, 0.0);
        assertThat(c.judgeSpecs()).containsExactly("onnx:/x/judges/sentiment", "length:32@" + W);
        assertThat(c.lengthLambda()).isZero();
        assertThat(c.lambdaDefaulted()).isFalse();
        assertThat(LengthControl.resolve(32, List.of(), DEMO, 0.02).lengthLambda()).isEqualTo(0.02);
    }

    @Test
    void anExplicitJudgeListIsUsedAsItIs() {
        LengthControl c = LengthControl.resolve(32, List.of("onnx:rm", "length:40@2"), DEMO, null);
        assertThat(c.judgeSpecs()).containsExactly("onnx:rm", "length:40@2");
        assertThat(c.judgeAdded()).isFalse();
        assertThat(c.lengthLambda()).isEqualTo(K / 1024.0); // λ still defaults
        LengthControl today = LengthControl.resolve(32, List.of("onnx:rm"), DEMO, 0.0); // the behaviour before
        assertThat(today.judgeSpecs()).containsExactly("onnx:rm");
        assertThat(today.lengthLambda()).isZero();
        assertThat(today.describe(32)).isEqualTo("judge: onnx:rm; length-lambda: 0");
    }

    @Test
    void theDefaultLambdaScalesAsOneOverTheSquaredTargetAndTheJudgeTargetIsRounded() {
        assertThat(LengthControl.defaultLambda(64)).isEqualTo(K / 4096.0);
        assertThat(LengthControl.defaultLambda(64) * 64 * 64).isEqualTo(LengthControl.defaultLambda(32) * 32 * 32);
        assertThat(LengthControl.lengthJudge(12.6)).isEqualTo("length:13@" + W); // length: takes whole tokens
        assertThat(LengthControl.resolve(12.6, List.of(), DEMO, null).judgeSpecs()).last()
                .isEqualTo("length:13@" + W);
    }
}
