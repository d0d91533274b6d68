package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitTest {

    private static List<PreferencePair> pairs(int n, int promptGroups) {
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(PreferencePair.of("id" + i, "prompt " + (i % promptGroups), "a" + i, "b" + i, "f:" + (i + 1)));
        }
        return out;
    }

    @Test
    void sameSeedSameSplitDifferentSeedDifferentSplit() {
        List<PreferencePair> all = pairs(200, 200);
        Split a = Split.bySeed(all, 0.1, 42);
        Split b = Split.bySeed(all, 0.1, 42);
        Split c = Split.bySeed(all, 0.1, 43);
        assertEquals(a.eval(), b.eval());
        assertThat(a.eval()).isNotEqualTo(c.eval());
        assertEquals(20, a.eval().size());
        assertEquals(180, a.train().size());
        Set<PreferencePair> union = new HashSet<>(a.train());
        union.addAll(a.eval());
        assertEquals(new HashSet<>(all), union);
    }

    @Test
    void keepsFileOrderAndPromptGroupsTogether() {
        List<PreferencePair> all = pairs(100, 10);
        Split s = Split.bySeed(all, 0.3, 1);
        Set<String> trainPrompts = new HashSet<>();
        s.train().forEach(p -> trainPrompts.add(p.prompt()));
        assertThat(s.eval()).noneMatch(p -> trainPrompts.contains(p.prompt()));
        assertEquals(30, s.eval().size());
        assertThat(s.train()).isSortedAccordingTo((x, y) -> Integer.compare(all.indexOf(x), all.indexOf(y)));
    }

    @Test
    void edgeFractions() {
        assertThat(Split.bySeed(pairs(5, 5), 0.0, 1).eval()).isEmpty();
        assertThat(Split.bySeed(pairs(5, 5), 0.01, 1).eval()).hasSize(1);
        assertThat(Split.bySeed(pairs(4, 1), 0.5, 1).train()).hasSize(4);
        assertThatThrownBy(() -> Split.bySeed(pairs(5, 5), 1.0, 1)).hasMessageContaining("evalFraction");
    }
}
