package io.dpo4j.judge;

import java.util.List;

/** Scores candidates; higher is better. Holds native or process resources, so it is closed after use. */
public interface Judge extends AutoCloseable {

    /**
     * Scores every candidate.
     *
     * @param candidates what to score, in order
     * @return one finite score per candidate, in the same order
     * @throws JudgeException when a candidate cannot be scored (the exception names it); never a silent 0
     */
    double[] score(List<Candidate> candidates) throws JudgeException;

    /** @return a short description for reports and messages, e.g. {@code onnx:judges/sentiment} */
    String name();

    /** Releases what the judge holds; the default holds nothing. */
    @Override
    default void close() {
    }
}
