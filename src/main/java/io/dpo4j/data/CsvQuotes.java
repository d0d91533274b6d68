package io.dpo4j.data;

/**
 * Finds a CSV quote that is never closed (RFC 4180: a field starting with {@code "} runs to the next lone
 * {@code "}, {@code ""} being an escaped quote). Such a quote swallows every following row into one field, so the
 * reader reports where it opened instead of the parser's "missing closing quote" at the end of the file. Lines are
 * counted like the CSV parser counts them ({@code \n}, {@code \r\n} or a lone {@code \r}).
 */
final class CsvQuotes {

    private CsvQuotes() {
    }

    /** Where an unclosed quote opened: 1-based line and column. */
    record Open(long line, long column) {
    }

    /** @return the unclosed quote, or {@code null} when every quote is closed */
    static Open unclosed(String text, char separator) {
        long line = 1;
        long column = 1;
        boolean fieldStart = true;
        boolean inQuote = false;
        long openLine = 0;
        long openColumn = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (inQuote) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        i++;
                        column++;
                    } else {
                        inQuote = false;
                    }
                }
            } else if (c == '"' && fieldStart) {
                inQuote = true;
                openLine = line;
                openColumn = column;
            }
            fieldStart = !inQuote && (c == separator || c == '\n' || c == '\r');
            if (c == '\n' || (c == '\r' && (i + 1 >= n || text.charAt(i + 1) != '\n'))) {
                line++;
                column = 1;
            } else if (c != '\r') {
                column++;
            }
        }
        return inQuote ? new Open(openLine, openColumn) : null;
    }
}
