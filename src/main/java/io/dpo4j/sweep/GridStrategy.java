package io.dpo4j.sweep;

import java.util.List;

/** A full grid of {@code points} values per parameter (ends included), visited in lexicographic order. */
record GridStrategy(int points) implements Strategy {

    GridStrategy {
        if (points < 2) {
            throw new IllegalArgumentException("--grid-points: expected >= 2, found " + points);
        }
    }

    @Override
    public double[] next(int dims, List<Observation> done, int trial) {
        long size = (long) Math.pow(points, dims);
        if (trial >= size) {
            return null;
        }
        double[] u = new double[dims];
        long rest = trial;
        for (int d = dims - 1; d >= 0; d--) {
            u[d] = (double) (rest % points) / (points - 1);
            rest /= points;
        }
        return u;
    }
}
