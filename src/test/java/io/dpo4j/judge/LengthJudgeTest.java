package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LengthJudgeTest {

    @Test
    void scoresMinusTheRelativeDistanceToTheTarget() {
        LengthJudge j = new LengthJudge(20);
        double[] s = j.score(List.of(new Candidate("p", "a", 20), new Candidate("p", "b", 10),
                new Candidate("p", "c", 40), new Candidate("p", "d", 25)));
        assertArrayEquals(new double[] {0.0, -0.5, -1.0, -0.25}, s, 0.0);
        assertEquals("length:20", j.name());
    }

    @Test
    void targetZeroCostsOnePerToken() {
        assertEquals(-3.0, new LengthJudge(0).score(3), 0.0);
        assertEquals(0.0, new LengthJudge(0).score(0), 0.0);
        assertThrows(IllegalArgumentException.class, () -> new LengthJudge(-1));
    }
}
