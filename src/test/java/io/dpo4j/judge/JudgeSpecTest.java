package io.dpo4j.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JudgeSpecTest {

    @Test
    void parsesKindArgumentAndWeight() {
        JudgeSpec s = JudgeSpec.parse("onnx:artifacts/judges/sentiment@0.5");
        assertEquals("onnx", s.kind());
        assertEquals("artifacts/judges/sentiment", s.arg());
        assertEquals(0.5, s.weight());
        assertEquals(1.0, JudgeSpec.parse("length:20").weight());
        assertEquals(-2.0, JudgeSpec.parse("length:20@-2").weight());
        assertEquals(1e-3, JudgeSpec.parse("length:20@1e-3").weight());
    }

    @Test
    void anAtSignInsideAPathOrJsonIsNotAWeight() {
        assertEquals("/x@y/dir", JudgeSpec.parse("onnx:/x@y/dir").arg());
        JudgeSpec json = JudgeSpec.parse("cmd:[\"prog\",\"a@b\"]");
        assertEquals("[\"prog\",\"a@b\"]", json.arg());
        assertEquals(1.0, json.weight());
        JudgeSpec jsonWeighted = JudgeSpec.parse("cmd:[\"prog\",\"a@b\"]@3");
        assertEquals("[\"prog\",\"a@b\"]", jsonWeighted.arg());
        assertEquals(3.0, jsonWeighted.weight());
        JudgeSpec escaped = JudgeSpec.parse("onnx:dir@v2@1");
        assertEquals("dir@v2", escaped.arg());
        assertEquals(1.0, escaped.weight());
    }

    @Test
    void unknownKindsListTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JudgeSpec.parse("regex:foo"));
        assertTrue(e.getMessage().contains("'regex:foo'") && e.getMessage().contains("[onnx, cmd, length]"),
                e.getMessage());
        IllegalArgumentException noKind = assertThrows(IllegalArgumentException.class, () -> JudgeSpec.parse("dir"));
        assertTrue(noKind.getMessage().contains("'dir'") && noKind.getMessage().contains("KIND:ARG"),
                noKind.getMessage());
    }

    @Test
    void badWeightsAndEmptyArgumentsNameTheSpec() {
        for (String bad : List.of("length:20@abc", "length:20@0", "length:20@NaN", "length:20@Infinity",
                "onnx:dir@v2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JudgeSpec.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("weight"),
                    e.getMessage());
        }
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> JudgeSpec.parse("length:@2"));
        assertTrue(empty.getMessage().contains("'length:@2'") && empty.getMessage().contains("argument"),
                empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JudgeSpec.parse(" "));
    }
}
