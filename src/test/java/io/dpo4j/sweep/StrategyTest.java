package io.dpo4j.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Grid covers its grid, the normal distribution function matches tables, parameters map as specified (Bayesian
 * optimisation on known functions: {@link BayesStrategyTest}).
 */
class StrategyTest {
    @Test
    void gridVisitsEveryPointOnce() {
        Strategy g = new GridStrategy(3);
        List<String> seen = new ArrayList<>();
        for (int t = 0; ; t++) {
            double[] u = g.next(2, List.of(), t);
            if (u == null) {
                break;
            }
            seen.add(Arrays.toString(u));
        }
        assertThat(seen).hasSize(9).doesNotHaveDuplicates().contains("[0.0, 0.0]", "[0.5, 1.0]", "[1.0, 1.0]");
    }

    @Test
    void normalDistributionFunctionMatchesTables() {
        assertThat(Normal.cdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(Normal.cdf(1.959963984540054)).isCloseTo(0.975, within(2e-7));
        assertThat(Normal.cdf(-1)).isCloseTo(0.15865525393145707, within(2e-7));
        assertThat(Normal.cdf(-6)).isCloseTo(9.865876450376946e-10, within(1e-12));
    }

    @Test
    void paramsParseAndMapToValues() {
        SearchParam lr = SearchParam.parse("lr=1e-4:1e-2");
        assertThat(lr.log()).isTrue();
        assertThat(lr.value(0)).isCloseTo(1e-4, within(1e-12));
        assertThat(lr.value(0.5)).isCloseTo(1e-3, within(1e-12));
        assertThat(lr.value(1)).isCloseTo(1e-2, within(1e-12));
        SearchParam eps = SearchParam.parse("label-smoothing=0:0.3");
        assertThat(eps.log()).isFalse();
        assertThat(eps.value(0.5)).isCloseTo(0.15, within(1e-12));
        assertThat(SearchParam.parse("batch-size=2:8:int").text(0.5)).isEqualTo("5");
        assertThatThrownBy(() -> SearchParam.parse("lr=0:1:log")).hasMessageContaining("log scale needs low > 0");
        assertThatThrownBy(() -> SearchParam.parse("lr")).hasMessageContaining("NAME=LOW:HIGH");
        assertThatThrownBy(() -> Strategy.parse("tpe", 3, 0)).hasMessageContaining("[grid, random, bayes]");
    }
}
