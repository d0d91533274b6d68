package io.dpo4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * Reads a byte stream line by line ({@code \n}, {@code \r\n}), decoding each line with a strict UTF-8 decoder so an
 * invalid byte sequence is reported for its line instead of being replaced silently. A line longer than a limit is
 * reported as soon as the limit is passed (a file without line breaks, however large, fails at once) and its rest
 * is skipped without being stored only when the next line is asked for (bounded memory, no hang). A UTF-8 BOM on line 1 is dropped.
 */
final class Utf8Lines {

    /** One line: text, or an error reason when the line is not usable. */
    record Line(long number, String text, String error) {
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int limit;
    private long lineNo;
    private boolean eof;
    private boolean skipping;

    Utf8Lines(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or {@code null} at end of input. */
    Line next() throws IOException {
        if (skipping) {
            skipRestOfLine();
        }
        if (eof && pos >= limit) {
            return null;
        }
        buf.reset();
        long length = 0;
        boolean sawNewline = false;
        while (!sawNewline) {
            if (pos >= limit && !fill()) {
                break;
            }
            int end = pos;
            while (end < limit && chunk[end] != '\n') {
                end++;
            }
            int n = end - pos;
            sawNewline = end < limit;
            if (length + n > maxLineBytes) { // report now; the rest of the line is skipped only if asked for more
                pos = sawNewline ? end + 1 : end;
                skipping = !sawNewline;
                lineNo++;
                return new Line(lineNo, null, "expected a line of at most " + maxLineBytes + " bytes, found more "
                        + "(no line break within " + maxLineBytes + " bytes); raise --max-line-bytes or check the file");
            }
            buf.write(chunk, pos, n);
            length += n;
            pos = sawNewline ? end + 1 : end;
        }
        if (!sawNewline && length == 0) {
            return null;
        }
        lineNo++;
        byte[] bytes = buf.toByteArray();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') {
            n--;
        }
        int start = lineNo == 1 && n >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        return decode(bytes, start, n);
    }

    /** Consumes the rest of a too-long line, up to and including its line break. */
    private void skipRestOfLine() throws IOException {
        skipping = false;
        while (pos < limit || fill()) {
            while (pos < limit) {
                if (chunk[pos++] == '\n') {
                    return;
                }
            }
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(chunk);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private Line decode(byte[] bytes, int start, int end) {
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes, start, end - start));
            return new Line(lineNo, chars.toString(), null);
        } catch (CharacterCodingException e) {
            return new Line(lineNo, null, "expected UTF-8 text, found an invalid byte sequence at byte "
                    + firstInvalidByte(bytes, start, end));
        }
    }

    private int firstInvalidByte(byte[] bytes, int start, int end) {
        ByteBuffer in = ByteBuffer.wrap(bytes, start, end - start);
        CharBuffer out = CharBuffer.allocate(end - start + 1);
        decoder.reset().decode(in, out, true);
        return in.position() - start + 1; // 1-based column of the first byte the decoder rejected
    }

    /** A whole file decoded for the tree formats: text with U+FFFD for bad bytes, and the lines that had them. */
    record Decoded(String text, BitSet badLines) {
    }

    /**
     * Decodes a whole file's bytes line by line; lines with invalid UTF-8 are kept (replaced) and remembered. Lines
     * end at {@code \n}, {@code \r\n} or a lone {@code \r}, the way the JSON and CSV parsers count lines, so a
     * bad line number always matches the parser's.
     */
    static Decoded decodeAll(byte[] bytes) {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        StringBuilder text = new StringBuilder(bytes.length);
        BitSet bad = new BitSet();
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        int line = 1;
        while (start <= bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            ByteBuffer slice = ByteBuffer.wrap(bytes, start, end - start);
            try {
                text.append(strict.reset().decode(slice));
            } catch (CharacterCodingException e) {
                bad.set(line);
                text.append(new String(bytes, start, end - start, StandardCharsets.UTF_8));
            }
            int next = end + 1;
            if (end < bytes.length) {
                text.append((char) bytes[end]);
                if (bytes[end] == '\r' && next < bytes.length && bytes[next] == '\n') {
                    text.append('\n');
                    next++;
                }
            }
            start = next;
            line++;
        }
        return new Decoded(text.toString(), bad);
    }
}
