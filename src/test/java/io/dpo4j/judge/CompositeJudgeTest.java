package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeJudgeTest {

    @Test
    void sumsWeightedScoresAndClosesEveryPart() throws JudgeException {
        FakeJudge fake = new FakeJudge();
        try (CompositeJudge j = new CompositeJudge(List.of(new CompositeJudge.Part(fake, 2.0),
                new CompositeJudge.Part(new LengthJudge(4), -0.5)))) {
            double[] s = j.score(List.of(new Candidate("p", "abc", 4), new Candidate("p", "a", 8)));
            // 2 * chars - 0.5 * (-|n - 4| / 4)
            assertArrayEquals(new double[] {6.0, 2.0 + 0.5}, s, 1e-12);
            assertEquals("2.0*fake + -0.5*length:4", j.name());
        }
        assertTrue(fake.closed);
    }

    @Test
    void aFailingPartFailsTheCallWithItsIndex() {
        CompositeJudge j = new CompositeJudge(List.of(new CompositeJudge.Part(new LengthJudge(1), 1),
                new CompositeJudge.Part(new FakeJudge(), 1)));
        JudgeException e = assertThrows(JudgeException.class,
                () -> j.score(List.of(new Candidate("p0", "x", 1), new Candidate("p1", "fail:1", 1))));
        assertEquals(1, e.index());
    }

    @Test
    void rejectsNoPartsAndBadWeights() {
        assertThrows(IllegalArgumentException.class, () -> new CompositeJudge(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new CompositeJudge.Part(new LengthJudge(1), 0));
        assertThrows(IllegalArgumentException.class, () -> new CompositeJudge.Part(new LengthJudge(1), Double.NaN));
    }
}
