package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8LinesTest {

    private static List<Utf8Lines.Line> all(byte[] bytes, int max) throws IOException {
        Utf8Lines lines = new Utf8Lines(new ByteArrayInputStream(bytes), max);
        List<Utf8Lines.Line> out = new ArrayList<>();
        Utf8Lines.Line l;
        while ((l = lines.next()) != null) {
            out.add(l);
        }
        assertNull(lines.next());
        return out;
    }

    @Test
    void lineEndingsBomAndLastLineWithoutNewline() throws IOException {
        byte[] bytes = "\uFEFFa\r\n\nb\nc".getBytes(StandardCharsets.UTF_8);
        assertThat(all(bytes, 100)).extracting(Utf8Lines.Line::text).containsExactly("a", "", "b", "c");
        assertThat(all(new byte[0], 100)).isEmpty();
        assertThat(all("x\n".getBytes(StandardCharsets.UTF_8), 100)).extracting(Utf8Lines.Line::number).containsExactly(1L);
    }

    @Test
    void linesAcrossChunkBoundariesAndOverLimit() throws IOException {
        String longLine = "é".repeat(100_000); // 200,000 bytes: spans several 64 KiB chunks
        byte[] bytes = (longLine + "\nshort\n" + "z".repeat(300) + "\nend").getBytes(StandardCharsets.UTF_8);
        List<Utf8Lines.Line> lines = all(bytes, 250_000);
        assertEquals(longLine, lines.get(0).text());
        assertEquals("short", lines.get(1).text());
        List<Utf8Lines.Line> limited = all(bytes, 256);
        assertThat(limited.get(0).error()).startsWith("expected a line of at most 256 bytes, found more");
        assertThat(limited.get(2).error()).contains("--max-line-bytes");
        assertThat(limited).extracting(Utf8Lines.Line::number).containsExactly(1L, 2L, 3L, 4L);
        assertEquals("end", limited.get(3).text());
    }

    @Test
    void invalidUtf8IsReportedWithItsColumn() throws IOException {
        byte[] bytes = {'o', 'k', '\n', 'a', 'b', (byte) 0xC3, '(', '\n'};
        List<Utf8Lines.Line> lines = all(bytes, 100);
        assertEquals("ok", lines.get(0).text());
        assertNull(lines.get(1).text());
        assertEquals("expected UTF-8 text, found an invalid byte sequence at byte 3", lines.get(1).error());
    }
}
