package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV/TSV structure: repeated header lines, duplicate column names, a quote that swallows the following rows. */
class CsvStructureTest {

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static DataOptions skip() {
        return DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null);
    }

    @Test
    void aRepeatedHeaderLineIsABadRowNotAPair() throws IOException {
        for (String name : new String[] {"h.csv", "h.tsv"}) {
            String sep = name.endsWith(".csv") ? "," : "\t";
            String header = String.join(sep, "prompt", "chosen", "rejected") + "\n";
            Path f = write(name, header + String.join(sep, "p", "a", "b") + "\n" + header
                    + String.join(sep, "q", "c", "d") + "\n");
            ReadResult r = PreferenceReader.read(f, skip(), null);
            assertThat(r.pairs()).extracting(PreferencePair::prompt).containsExactly("p", "q");
            assertThat(r.skipped()).singleElement().satisfies(b -> {
                assertThat(b.line()).isEqualTo(3);
                assertThat(b.reason()).contains("expected a data row, found a repeat of the header line");
            });
            assertThatThrownBy(() -> PreferenceReader.read(f, DataOptions.defaults(), null))
                    .hasMessageStartingWith(f + ":3: ");
        }
    }

    @Test
    void duplicateColumnNamesAreAnError() throws IOException {
        Path f = write("d.csv", "prompt,chosen,rejected,chosen\np,a,b,c\n");
        assertThatThrownBy(() -> PreferenceReader.read(f, skip(), null))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(f + ":1: ")
                .hasMessageContaining("expected distinct column names, found 'chosen' twice (columns 2 and 4)");
    }

    @Test
    void anUnbalancedQuoteIsAnErrorAtTheLineWhereItOpened() throws IOException {
        Path f = write("q.csv", "prompt,chosen,rejected\np,a,b\nq,\"c,d\nr,e,f\ns,g,h\n");
        for (DataOptions opts : new DataOptions[] {DataOptions.defaults(), skip()}) {
            assertThatThrownBy(() -> PreferenceReader.read(f, opts, null))
                    .isInstanceOf(DataFormatException.class)
                    .hasMessageStartingWith(f + ":3: ")
                    .hasMessageContaining("the quote opened on line 3 (column 3) is never closed");
        }
    }

    @Test
    void quotedFieldsMayStillSpanLinesAndEscapeQuotes() throws IOException {
        Path f = write("m.csv", "prompt,chosen,rejected\n\"multi\nline \"\"quoted\"\"\",a,b\nq,\"c\r\nd\",e\n");
        ReadResult r = PreferenceReader.read(f, DataOptions.defaults(), null);
        assertThat(r.pairs()).extracting(PreferencePair::prompt).containsExactly("multi\nline \"quoted\"", "q");
        assertThat(r.pairs()).extracting(PreferencePair::source).containsExactly(f + ":2", f + ":4");
    }
}
