package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One small file per class of bad input under {@code src/test/resources/bad/}, each with the line, field and
 * message fragment it must produce ({@code bad/expected.json}, optionally with the limits to read it under): under
 * {@code --on-bad-row fail} it stops with that one-line message; under {@code skip} it is reported (or, for a
 * problem with the whole file, stops the same way).
 */
class BadInputCorpusTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    private static Path dir() {
        try {
            return Path.of(BadInputCorpusTest.class.getResource("/bad/expected.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode expected() throws IOException {
        return TestFiles.JSON.readTree(dir().resolve("expected.json").toFile());
    }

    static Stream<String> files() throws IOException {
        List<String> names = new ArrayList<>();
        expected().fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    @Test
    void everyCorpusFileHasAnExpectation() throws IOException {
        try (Stream<Path> s = Files.list(dir())) {
            List<String> onDisk = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("expected.json"))
                    .sorted().toList();
            assertThat(onDisk).containsExactlyElementsOf(files().sorted().toList());
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void failStopsWithFileLineFieldAndReason(String name) throws IOException {
        JsonNode e = expected().get(name);
        Path file = dir().resolve(name);
        String field = e.get("field").asText();
        String prefix = file + ":" + e.get("line").asLong() + ": " + ("-".equals(field) ? "" : "field '" + field + "': ");
        assertTimeoutPreemptively(LIMIT, () -> assertThatThrownBy(() -> PreferenceReader.read(file, options(e, OnBadRow.FAIL), null))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(prefix)
                .hasMessageContaining(e.get("contains").asText())
                .satisfies(x -> InputContractPropertyTest.assertClean(x.getMessage(), file)));
    }

    @ParameterizedTest
    @MethodSource("files")
    void skipReportsTheRowOrStopsForTheWholeFile(String name) throws IOException {
        JsonNode e = expected().get(name);
        Path file = dir().resolve(name);
        byte[] before = Files.readAllBytes(file);
        try {
            ReadResult r = assertTimeoutPreemptively(LIMIT, () -> PreferenceReader.read(file, options(e, OnBadRow.SKIP), null));
            assertThat(r.skipped()).anySatisfy(b -> {
                assertThat(b.line()).isEqualTo(e.get("line").asLong());
                assertThat(b.field()).isEqualTo(e.get("field").asText());
                assertThat(b.reason()).contains(e.get("contains").asText());
            });
            assertThat(r.pairs()).noneSatisfy(p -> assertThat(p.source()).isEqualTo(file + ":" + e.get("line").asLong()));
        } catch (DataFormatException whole) {
            assertThat(whole.row().line()).isEqualTo(e.get("line").asLong());
            assertThat(whole.getMessage()).contains(e.get("contains").asText());
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    private static DataOptions options(JsonNode e, OnBadRow policy) {
        ReadLimits d = ReadLimits.DEFAULTS;
        ReadLimits limits = new ReadLimits(e.path("max_line_bytes").asInt(d.maxLineBytes()),
                e.path("max_rows").asLong(d.maxRows()), e.path("max_prompt_chars").asInt(d.maxPromptChars()));
        return DataOptions.defaults().withOnBadRow(policy, null).withLimits(limits);
    }
}
