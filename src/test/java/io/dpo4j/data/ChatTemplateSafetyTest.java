package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Message contents are data (never re-interpreted as Jinja); hostile templates are stopped by time and size limits. */
class ChatTemplateSafetyTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** 10^12 loop iterations (jinjava caps each range at 1000) that render nothing. */
    private static final String SLOW = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
            + "{% for d in range(1000) %}{% if false %}x{% endif %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}";

    @TempDir
    Path tmp;

    private static ChatTemplate llama2() {
        return ChatTemplate.fromTokenizerConfig(TestFiles.resource("llama2_chat_tokenizer_config.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{ 7*7 }}", "{% for i in range(100000000) %}{% for j in range(100000000) %}x{% endfor %}{% endfor %}",
            "{{ raise_exception('x') }}", "{% raw %}a{% endraw %}", "{# c #}", "{{ messages }}", "{% set x = 1 %}{{ x }}",
            "{{", "{%", "}}", "{% if %}", "{{ ''.__class__ }}"})
    void jinjaSyntaxInsideAMessageRendersLiterally(String content) {
        String out = assertTimeoutPreemptively(LIMIT, () -> llama2().render(List.of(new Message("user", content)), true));
        assertEquals("<s>[INST] " + content.strip() + " [/INST]", out);
    }

    @Test
    void jinjaSyntaxInBosTokenOrRoleIsDataToo() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{{ m['role'] }}={{ m['content'] }};{% endfor %}"
                + "{{ bos_token }}", "{{ 1+1 }}", "");
        assertEquals("{{ 2*2 }}={{ 3*3 }};{{ 1+1 }}", t.render(List.of(new Message("{{ 2*2 }}", "{{ 3*3 }}")), false));
    }

    @Test
    void aTemplateThatLoopsTooLongStopsWithOneLineNamingTheFile() {
        ChatTemplate t = new ChatTemplate(SLOW, "", "", "cfg/tokenizer_config.json", Duration.ofMillis(300),
                1 << 20);
        long start = System.nanoTime();
        assertTimeoutPreemptively(LIMIT, () -> assertThatThrownBy(() -> t.render(List.of(new Message("user", "a")), false))
                .isInstanceOf(TemplateLimitException.class)
                .hasMessageContaining("cfg/tokenizer_config.json")
                .hasMessageContaining("ran longer than 300 ms")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aTemplateThatRendersTooMuchStopsWithOneLineNamingTheFile() {
        ChatTemplate t = new ChatTemplate("{% for i in range(1000) %}{% for j in range(1000) %}xxxxxxxxxx{% endfor %}"
                + "{% endfor %}", "", "", "cfg/tokenizer_config.json", Duration.ofSeconds(20), 100_000);
        assertTimeoutPreemptively(LIMIT, () -> assertThatThrownBy(() -> t.render(List.of(new Message("user", "a")), false))
                .isInstanceOf(TemplateLimitException.class)
                .hasMessageContaining("cfg/tokenizer_config.json")
                .hasMessageContaining("more than 100000 characters"));
    }

    @Test
    void aTemplateLimitStopsTheReadEvenUnderSkip() throws Exception {
        Path cfg = tmp.resolve("tokenizer_config.json");
        Files.writeString(cfg, "{\"chat_template\": \"" + SLOW + "\"}");
        ChatTemplate loader = ChatTemplate.fromTokenizerConfig(cfg);
        ChatTemplate t = new ChatTemplate(loader.source(), "", "", cfg.toString(), Duration.ofMillis(200), 1 << 20);
        Path data = tmp.resolve("chat.jsonl");
        Files.writeString(data, "{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}], "
                + "\"chosen\": [{\"role\": \"assistant\", \"content\": \"a\"}], "
                + "\"rejected\": [{\"role\": \"assistant\", \"content\": \"b\"}]}\n".repeat(50));
        assertTimeoutPreemptively(LIMIT, () -> assertThatThrownBy(() -> PreferenceReader.read(data,
                DataOptions.defaults().withOnBadRow(OnBadRow.SKIP, null), t))
                .isInstanceOf(TemplateLimitException.class).hasMessageContaining(cfg.toString()));
    }

    @Test
    void aTokenizerConfigThatIsNotAnObjectIsOneLineNamingTheFile() throws Exception {
        Path cfg = tmp.resolve("tokenizer_config.json");
        Files.writeString(cfg, "[1, 2]");
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(cfg)).hasMessageStartingWith(cfg.toString())
                .hasMessageContaining("expected a JSON object");
    }
}
