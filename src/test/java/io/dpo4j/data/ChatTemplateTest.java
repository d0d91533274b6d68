package io.dpo4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Chat templates through jinjava, against text rendered by jinja2 (tools/data/make_data_expectations.py). */
class ChatTemplateTest {

    private static ChatTemplate llama2() {
        return ChatTemplate.fromTokenizerConfig(TestFiles.resource("llama2_chat_tokenizer_config.json"));
    }

    @Test
    void llama2TemplateMatchesJinja2ForEveryConversationalCase() {
        ChatTemplate t = llama2();
        var pairs = TestFiles.json("expected_llama.json").get("cases");
        int checked = 0;
        for (var c : pairs) {
            if (c.get("name").asText().equals("conversational")) {
                ReadResult r = PreferenceReader.read(TestFiles.resource("conversational.jsonl"), DataOptions.defaults(), t);
                for (int i = 0; i < r.pairs().size(); i++) {
                    assertEquals(c.get("pairs").get(i).get("prompt").asText(), r.pairs().get(i).prompt());
                    assertEquals(c.get("pairs").get(i).get("chosen").asText(), r.pairs().get(i).chosen());
                    checked++;
                }
            }
        }
        assertEquals(3, checked);
    }

    @Test
    void systemMessageBosAndStrip() {
        String out = llama2().render(List.of(new Message("system", "Be brief."), new Message("user", "  Hi there \n"),
                new Message("assistant", " Hello. ")), false);
        // jinja2 renders the same (strip() applies to the system block + content, so the user's spaces stay)
        assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n  Hi there [/INST] Hello. </s>", out);
    }

    @Test
    void raiseExceptionSurfacesTheTemplatesMessage() {
        assertThatThrownBy(() -> llama2().render(List.of(new Message("user", "a"), new Message("user", "b")), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void generationPromptLoopVariablesAndStringMethods() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{{ loop.index }}:{{ m['role'].upper() }}:"
                + "{{ m['content'].lstrip().rstrip('!') }}{% if m['content'].startswith(' x') %}*{% endif %}"
                + "{% if not loop.last %}|{% endif %}{% endfor %}{% if add_generation_prompt %}>{{ bos_token }}"
                + "{% endif %}{{ eos_token }}{{ 'a b  c'.split() | length }}{{ 'a,b'.split(',')[1] }}", "<B>", "<E>");
        assertEquals("1:USER:hi|2:ASSISTANT:x*>" + "<B><E>3b",
                t.render(List.of(new Message("user", "hi!!"), new Message("assistant", " x")), true));
        assertEquals("1:USER:hi<E>3b", t.render(List.of(new Message("user", "hi")), false));
    }

    @Test
    void trimAndLstripBlocksLikeTransformers() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}\n    {% if true %}\n{{ m['content'] }}\n"
                + "    {% endif %}\n{% endfor %}", "", "");
        assertEquals("a\nb\n", t.render(List.of(new Message("user", "a"), new Message("user", "b")), false));
    }

    @Test
    void configWithoutTemplateGivesNull() {
        assertNull(ChatTemplate.fromTokenizerConfig(TestFiles.artifact("tiny-gpt2").resolve("tokenizer_config.json")));
    }

    @Test
    void pythonStripUsesPythonWhitespace() {
        assertThat(PythonStringMethods.apply("\u00a0 x \u2003", "strip", new Object[0])).isEqualTo("x");
        assertThat(PythonStringMethods.apply("abcba", "strip", new Object[] {"ab"})).isEqualTo("c");
        assertThat(PythonStringMethods.apply("hello wORLD", "title", new Object[0])).isEqualTo("Hello World");
    }
}
