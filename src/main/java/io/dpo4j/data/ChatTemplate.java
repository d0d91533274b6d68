package io.dpo4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json} {@code chat_template}) rendered with jinjava, set up
 * like {@code transformers}' {@code apply_chat_template}: {@code trim_blocks} and {@code lstrip_blocks} on,
 * {@code messages}, {@code bos_token}, {@code eos_token}, {@code add_generation_prompt} and a
 * {@code raise_exception(msg)} function in scope, and Python string methods on strings.
 *
 * <p>Message contents are data, never template source: jinjava's nested interpretation (re-rendering output that
 * contains <code>{{ }}</code> or <code>{% %}</code>) is off, so a message holding <code>{{ 7*7 }}</code> renders
 * literally, as jinja2 does. The template itself comes from {@code tokenizer_config.json} and is not trusted either:
 * each render runs under a time limit and an output-size limit ({@link TemplateLimitException} naming the file).
 */
public final class ChatTemplate {

    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

    /** Default longest render of one conversation. */
    static final Duration DEFAULT_RENDER_TIME = Duration.ofSeconds(10);
    /** Default largest rendered conversation, in characters. */
    static final long DEFAULT_MAX_OUTPUT_CHARS = 64L << 20;

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final String origin;
    private final Duration renderTime;
    private final long maxOutputChars;
    private final Jinjava jinjava;

    /**
     * @param template the Jinja source
     * @param bosToken value of {@code bos_token} ("" when the tokenizer has none)
     * @param eosToken value of {@code eos_token} ("" when the tokenizer has none)
     */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this(template, bosToken, eosToken, "the chat template", DEFAULT_RENDER_TIME, DEFAULT_MAX_OUTPUT_CHARS);
    }

    /**
     * @param template       the Jinja source
     * @param bosToken       value of {@code bos_token}
     * @param eosToken       value of {@code eos_token}
     * @param origin         where the template comes from (a file name), used in error messages
     * @param renderTime     longest render of one conversation
     * @param maxOutputChars largest rendered conversation in characters
     */
    ChatTemplate(String template, String bosToken, String eosToken, String origin, Duration renderTime,
                 long maxOutputChars) {
        this.template = Objects.requireNonNull(template, "template");
        this.bosToken = Objects.requireNonNull(bosToken, "bosToken");
        this.eosToken = Objects.requireNonNull(eosToken, "eosToken");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.renderTime = Objects.requireNonNull(renderTime, "renderTime");
        this.maxOutputChars = maxOutputChars;
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withElResolver(resolver)
                .withNestedInterpretationEnabled(false) // message contents are data, not template source
                .withMaxOutputSize(maxOutputChars)
                .withMaxStringLength(maxOutputChars)
                .withNodePreProcessor((node, interpreter) -> BoundedRender.checkDeadline())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", Object.class));
    }

    /**
     * Reads {@code chat_template}, {@code bos_token} and {@code eos_token} from a tokenizer_config.json.
     *
     * @return the template, or {@code null} when the file has no chat template
     */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfigJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerConfigJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer config " + tokenizerConfigJson + ": expected a "
                    + "JSON object, found (" + RowFileReader.firstLine(e.getMessage()) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(tokenizerConfigJson + ": expected a JSON object, found "
                    + RowParser.kind(root));
        }
        String source = templateSource(root.get("chat_template"), tokenizerConfigJson);
        if (source == null) {
            return null;
        }
        return new ChatTemplate(source, tokenText(root.get("bos_token")), tokenText(root.get("eos_token")),
                tokenizerConfigJson.toString(), DEFAULT_RENDER_TIME, DEFAULT_MAX_OUTPUT_CHARS);
    }

    private static String templateSource(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) { // [{"name": "default", "template": "..."}, ...]
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText())) {
                    return named.path("template").asText();
                }
            }
            return null;
        }
        throw new IllegalArgumentException(file + ": field 'chat_template': expected a string or a list of named "
                + "templates, found " + node.getNodeType());
    }

    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return "";
        }
        return node.isObject() ? node.path("content").asText("") : node.asText();
    }

    /** Called by templates as {@code raise_exception(msg)}. */
    public static String raiseException(Object message) {
        RAISED.set(String.valueOf(message));
        throw new IllegalStateException(String.valueOf(message));
    }

    /**
     * Renders a conversation.
     *
     * @throws IllegalArgumentException when the template raises or fails, with the template's message
     * @throws TemplateLimitException   when the template runs too long or renders too much
     */
    public String render(List<Message> msgs, boolean addGenerationPrompt) {
        return BoundedRender.run(() -> renderNow(msgs, addGenerationPrompt), renderTime, origin);
    }

    private String renderNow(List<Message> msgs, boolean addGenerationPrompt) {
        List<Map<String, Object>> messages = new ArrayList<>(msgs.size());
        for (Message m : msgs) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            messages.add(map);
        }
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", messages);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        RAISED.remove();
        RenderResult result = jinjava.renderForResult(template, ctx);
        String raised = RAISED.get();
        RAISED.remove();
        if (raised != null) {
            throw new IllegalArgumentException("chat template raised: " + RowFileReader.firstLine(raised));
        }
        for (TemplateError e : result.getErrors()) {
            if (e.getException() instanceof OutputTooBigException
                    || String.valueOf(e.getMessage()).contains("OutputTooBig")) {
                throw new TemplateLimitException("the chat template of " + origin + " rendered more than "
                        + maxOutputChars + " characters for one row; expected a template whose output is the "
                        + "conversation (check its loops)");
            }
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException("chat template failed at line " + e.getLineno() + ": "
                        + RowFileReader.firstLine(e.getMessage()));
            }
        }
        return result.getOutput();
    }

    /** The Jinja source. */
    String source() {
        return template;
    }

    /** The BOS token text ("" when none). */
    public String bosToken() {
        return bosToken;
    }

    /** The EOS token text ("" when none). */
    public String eosToken() {
        return eosToken;
    }
}
