package io.dpo4j.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The initial design: one point per stratum in every dimension, spread apart, reproducible from its seed. */
class LatinHypercubeTest {
    @Test
    void hasOnePointPerStratumAndIsSpreadOut() {
        int n = 6, dims = 3;
        double[][] u = LatinHypercube.maximin(n, dims, new SplittableRandom(4));
        for (int d = 0; d < dims; d++) {
            boolean[] hit = new boolean[n];
            for (double[] p : u) {
                assertThat(p[d]).isBetween(0.0, 1.0);
                hit[(int) (p[d] * n)] = true;
            }
            assertThat(hit).containsOnly(true);
        }
        double randomMedian; // the maximin design beats the typical random Latin hypercube
        double[] dist = new double[101];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < dist.length; i++) {
            dist[i] = LatinHypercube.minDistance(LatinHypercube.random(n, dims, r));
        }
        java.util.Arrays.sort(dist);
        randomMedian = dist[50];
        assertThat(LatinHypercube.minDistance(u)).isGreaterThan(1.5 * randomMedian);
        assertThat(LatinHypercube.maximin(n, dims, new SplittableRandom(4))).isDeepEqualTo(u);
    }
}
