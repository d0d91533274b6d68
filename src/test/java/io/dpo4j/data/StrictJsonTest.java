package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** JSON strictly per RFC 8259: nothing after the array, no Java-only number syntax, invalid UTF-8 found on CR lines. */
class StrictJsonTest {

    private static final String OK = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}";

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'[\n" + OK + "\n]\ngarbage'              | 4",
        "'[\n" + OK + "\n]\n[\n" + OK + "\n]'     | 4",
        "'[" + OK + "] {}'                         | 1",
        "'[" + OK + "]\n\n\n]'                     | 4"})
    void anythingAfterTheArrayIsAnErrorWithItsLine(String text, int line) throws IOException {
        Path f = write("t.json", text);
        assertThatThrownBy(() -> PreferenceReader.read(f, DataOptions.defaults(), null))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(f + ":" + line + ": ")
                .hasMessageContaining("expected nothing after the closing ']'");
    }

    @Test
    void whitespaceAfterTheArrayIsFine() throws IOException {
        Path f = write("w.json", "[" + OK + "]\n \t\r\n");
        assertThat(PreferenceReader.read(f, DataOptions.defaults(), null).pairs()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x1p3", "1.5f", "1.5d", "NaN", "Infinity", "-Infinity", "+1", ".5", "5.", "1_0", "01",
        "0x10", "1e", "١", "1 0", "--1"})
    void javaOnlyNumberSyntaxInATextValueIsRejected(String value) throws IOException {
        Path jsonl = write("n.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"weight\": \""
                + value + "\"}\n");
        assertThatThrownBy(() -> PreferenceReader.read(jsonl, DataOptions.defaults(), null))
                .hasMessageStartingWith(jsonl + ":1: field 'weight': expected a number")
                .hasMessageContaining("found '" + value + "'");
        Path csv = write("n.csv", "prompt,chosen,rejected,preference\np,a,b," + value + "\n");
        assertThatThrownBy(() -> PreferenceReader.read(csv, DataOptions.defaults(), null))
                .hasMessageStartingWith(csv + ":2: field 'preference': expected a number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.5", "1", "0", "1e-3", "2.5E+2", "-0", " 2 "})
    void rfcNumbersInTextAreRead(String value) throws IOException {
        Path csv = write("ok.csv", "prompt,chosen,rejected,weight\np,a,b," + value + "\n");
        assertThat(PreferenceReader.read(csv, DataOptions.defaults(), null).pairs().get(0).weight())
                .isEqualTo(Math.abs(Double.parseDouble(value)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"weight\": 1e39                                  | weight     | finite number >= 0",
        "\"weight\": 1e400                                 | weight     | finite number >= 0",
        "\"weight\": 100000000000000000000000000000000000000000 | weight | finite number >= 0",
        "\"weight\": -1                                    | weight     | finite number >= 0",
        "\"weight\": -0.0001                               | weight     | finite number >= 0",
        "\"preference\": 1e400                             | preference | probability in [0, 1]",
        "\"preference\": -1e-9                             | preference | probability in [0, 1]",
        "\"preference\": \"NaN\"                           | preference | probability in [0, 1]",
        "\"weight\": NaN                                   | -          | invalid JSON"})
    void weightsAndPreferencesAreFiniteAndInRange(String member, String field, String reason) throws IOException {
        Path f = write("r.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", " + member + "}\n");
        String where = "-".equals(field) ? f + ":1: " : f + ":1: field '" + field + "': ";
        assertThatThrownBy(() -> PreferenceReader.read(f, DataOptions.defaults(), null))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(where).hasMessageContaining(reason);
    }

    @Test
    void invalidUtf8IsFoundOnItsLineWhenLinesEndWithALoneCr() throws IOException {
        byte[] bad = "[\r{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"},\r{\"prompt\": \"p\", \"chosen\": \"X\", \"rejected\": \"b\"}\r]\r"
                .getBytes(StandardCharsets.UTF_8);
        replaceX(bad);
        Path json = tmp.resolve("cr.json");
        Files.write(json, bad);
        assertThatThrownBy(() -> PreferenceReader.read(json, DataOptions.defaults(), null))
                .hasMessageStartingWith(json + ":3: ").hasMessageContaining("invalid byte sequence");
        byte[] csvBytes = "prompt,chosen,rejected\rp,a,b\rp,X,b\r".getBytes(StandardCharsets.UTF_8);
        replaceX(csvBytes);
        Path csv = tmp.resolve("cr.csv");
        Files.write(csv, csvBytes);
        assertThatThrownBy(() -> PreferenceReader.read(csv, DataOptions.defaults(), null))
                .hasMessageStartingWith(csv + ":3: ").hasMessageContaining("invalid byte sequence");
    }

    private static void replaceX(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 'X') {
                bytes[i] = (byte) 0xff;
            }
        }
    }
}
