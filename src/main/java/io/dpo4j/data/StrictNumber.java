package io.dpo4j.data;

import java.util.regex.Pattern;

/**
 * Numbers given as text (CSV/TSV cells, JSON strings) parsed with the number grammar of RFC 8259 §6, not Java's:
 * {@code Double.parseDouble} also accepts {@code 0x1p3}, {@code 1.5f}, {@code NaN}, {@code Infinity}, {@code +1} and
 * {@code .5}, which would turn typos and foreign formats into silent values. Surrounding ASCII spaces and tabs are
 * ignored (CSV cells are often padded).
 */
final class StrictNumber {

    private static final Pattern RFC_8259 = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

    private StrictNumber() {
    }

    /**
     * @return the value, or {@code null} when {@code text} is not an RFC 8259 number
     */
    static Double parse(String text) {
        String t = strip(text);
        if (t.length() > 400 || !RFC_8259.matcher(t).matches()) {
            return null;
        }
        return Double.parseDouble(t);
    }

    private static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
            b--;
        }
        return s.substring(a, b);
    }
}
