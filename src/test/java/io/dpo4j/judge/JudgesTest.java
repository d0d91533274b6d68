package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JudgesTest {

    @Test
    void oneUnweightedSpecOpensThatJudge() {
        try (Judge j = Judges.open(List.of("length:16"))) {
            assertInstanceOf(LengthJudge.class, j);
            assertEquals(16, ((LengthJudge) j).target());
        }
    }

    @Test
    void severalOrWeightedSpecsOpenAComposite() throws JudgeException {
        try (Judge j = Judges.open(List.of("length:10@2", "length:20@-1"))) {
            CompositeJudge c = assertInstanceOf(CompositeJudge.class, j);
            assertEquals(2, c.parts().size());
            double[] s = j.score(List.of(new Candidate("p", "x", 10)));
            assertArrayEquals(new double[] {2 * 0.0 + -1 * -0.5}, s, 1e-12);
        }
        try (Judge j = Judges.open(List.of("length:10@3"))) {
            assertInstanceOf(CompositeJudge.class, j);
        }
    }

    @Test
    void commandArgvSplitsOnWhitespaceOrReadsAJsonArray() {
        assertEquals(List.of("python3", "judge.py", "--fast"),
                Judges.argv(JudgeSpec.parse("cmd:python3  judge.py --fast")));
        assertEquals(List.of("prog", "arg with space", "a@b"),
                Judges.argv(JudgeSpec.parse("cmd:[\"prog\", \"arg with space\", \"a@b\"]")));
        for (String bad : List.of("cmd:[1, 2]", "cmd:[]", "cmd:[\"prog\"", "cmd:[\"\"]", "cmd:[\"a\"] [\"b\"]")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Judges.argv(JudgeSpec.parse(bad)));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void commandSpecsRunTheProgram() throws JudgeException {
        String argv = "cmd:" + String.join(" ", CommandJudgeTest.argv());
        try (Judge j = Judges.open(List.of(argv + "@2", "length:1"))) {
            double[] s = j.score(List.of(new Candidate("p", "abcd", 1)));
            assertArrayEquals(new double[] {2 * (4 + 0.5) + 0.0}, s, 0.0);
        }
    }

    @Test
    void badSpecsNameTheSpecAndCloseWhatWasOpened() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Judges.open(List.of("length:5", "length:five")));
        assertTrue(e.getMessage().contains("'length:five'"), e.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> Judges.open(List.of("bleu:ref.txt")));
        assertTrue(kind.getMessage().contains("[onnx, cmd, length]"), kind.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Judges.open(List.of()));
        IllegalArgumentException dir = assertThrows(IllegalArgumentException.class,
                () -> Judges.open(List.of("onnx:/nonexistent/judge")));
        assertTrue(dir.getMessage().contains("/nonexistent/judge"), dir.getMessage());
    }
}
