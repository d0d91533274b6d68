package io.dpo4j.sweep;

import java.util.List;
import java.util.SplittableRandom;

/** Independent uniform points; trial i's point depends only on (seed, i). */
record RandomStrategy(long seed) implements Strategy {

    @Override
    public double[] next(int dims, List<Observation> done, int trial) {
        return uniform(seed, trial, dims);
    }

    /** @return the uniform point of {@code trial} under {@code seed} */
    static double[] uniform(long seed, long trial, int dims) {
        SplittableRandom r = stream(seed, trial);
        double[] u = new double[dims];
        for (int d = 0; d < dims; d++) {
            u[d] = r.nextDouble();
        }
        return u;
    }

    /**
     * @return the independent stream number {@code index} of {@code seed} (the index-th split of the seed's
     *     generator; consecutive raw seeds of SplittableRandom give correlated first draws, splits do not)
     */
    static SplittableRandom stream(long seed, long index) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom r = root.split();
        for (long i = 0; i < index; i++) {
            r = root.split();
        }
        return r;
    }
}
