package io.dpo4j.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared protobuf wire reader: varints, fixed widths, field iteration and its error messages. */
class ProtoWireTest {
    private static ProtoWire wire(boolean namesLength, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new ProtoWire(ByteBuffer.wrap(b), "m.onnx", namesLength);
    }

    /** Every field as [field, wire, tagStart, start, end]. */
    private static List<List<Integer>> fields(ProtoWire w, int start, int end) {
        List<List<Integer>> out = new ArrayList<>();
        w.fields(start, end, (field, type, tagStart, s, e) -> out.add(List.of(field, type, tagStart, s, e)));
        return out;
    }

    @Test
    void readsVarintsOfOneTwoAndTenBytes() {
        ProtoWire w = wire(true, 0x05, 0xAC, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
        assertThat(w.varint(0, 14)).isEqualTo(5);
        assertThat(w.next()).isEqualTo(1);
        assertThat(w.varint(1, 14)).isEqualTo(300);
        assertThat(w.next()).isEqualTo(3);
        assertThat(w.varint(3, 14)).isEqualTo(-1L); // ten bytes: all 64 bits set
        assertThat(w.next()).isEqualTo(13);
    }

    @Test
    void refusesVarintsCutOffOrLongerThanTenBytes() {
        assertThatThrownBy(() -> wire(true, 0x80, 0x80).varint(0, 2)).isInstanceOf(ArtifactException.class)
                .hasMessage("m.onnx: expected an ONNX model protobuf, found a varint cut off by the end of its message"
                        + " at byte 2");
        // the message end counts, not the buffer's: a varint running past it is cut off
        assertThatThrownBy(() -> wire(true, 0x80, 0x01).varint(0, 1))
                .hasMessage("m.onnx: expected an ONNX model protobuf, found a varint cut off by the end of its message"
                        + " at byte 1");
        assertThatThrownBy(() -> wire(true, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)
                .varint(0, 11))
                .hasMessage("m.onnx: expected an ONNX model protobuf, found a varint longer than 10 bytes at byte 10");
    }

    @Test
    void walksFieldsOfEveryWireTypeWithTheirValueRanges() {
        // field 1 varint 150; field 2 fixed64; field 3 "ab"; field 4 fixed32
        ProtoWire w = wire(true, 0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1A, 0x02, 'a', 'b',
                0x25, 9, 9, 9, 9);
        assertThat(fields(w, 0, 21)).containsExactly(
                List.of(1, ProtoWire.VARINT, 0, 1, 3),
                List.of(2, ProtoWire.FIXED64, 3, 4, 12),
                List.of(3, ProtoWire.LEN, 12, 14, 16),
                List.of(4, ProtoWire.FIXED32, 16, 17, 21));
        assertThat(w.string(14, 16)).isEqualTo("ab");
        assertThat(fields(w, 12, 16)).containsExactly(List.of(3, ProtoWire.LEN, 12, 14, 16)); // a sub-range
    }

    @Test
    void refusesFixedWidthFieldsCutOff() {
        assertThatThrownBy(() -> fields(wire(true, 0x25, 1, 2, 3), 0, 4))
                .hasMessage("m.onnx: expected an ONNX model protobuf, found a fixed-width field cut off by the end of"
                        + " its message at byte 1");
        assertThatThrownBy(() -> fields(wire(true, 0x11, 1, 2, 3, 4, 5, 6, 7, 8), 0, 8))
                .hasMessage("m.onnx: expected an ONNX model protobuf, found a fixed-width field cut off by the end of"
                        + " its message at byte 1");
    }

    @Test
    void refusesLengthDelimitedFieldsPastTheEndWithOrWithoutTheirLength() {
        assertThatThrownBy(() -> fields(wire(true, 0x0A, 0x05, 'a'), 0, 3))
                .hasMessage("m.onnx: expected an ONNX model protobuf, found a length-delimited field of 5 bytes past"
                        + " the end of its message at byte 2");
        assertThatThrownBy(() -> fields(wire(false, 0x0A, 0x05, 'a'), 0, 3))
                .hasMessage("m.onnx: expected an ONNX model protobuf, found a length-delimited field past the end of"
                        + " its message at byte 2");
    }

    @Test
    void refusesGroupWireTypes() {
        assertThatThrownBy(() -> fields(wire(true, 0x0B), 0, 1))
                .hasMessage("m.onnx: expected an ONNX model protobuf, found wire type 3 (expected 0, 1, 2 or 5)"
                        + " at byte 1");
    }

    @Test
    void stopsAtTheFirstBadFieldAfterVisitingTheGoodOnes() {
        List<List<Integer>> seen = new ArrayList<>();
        ProtoWire w = wire(true, 0x08, 0x01, 0x0C);
        assertThatThrownBy(() -> w.fields(0, 3, (f, t, ts, s, e) -> seen.add(List.of(f, t, ts, s, e))))
                .hasMessageContaining("wire type 4");
        assertThat(seen).containsExactly(List.of(1, ProtoWire.VARINT, 0, 1, 2));
    }
}
