package io.dpo4j.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.util.Files2;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code manifest.json} into a {@link Manifest}, checking every field's presence and JSON type first, so a
 * malformed manifest fails with one line naming the field, what was expected and what was found (see
 * {@link JsonFields}). Optional fields: {@code special_tokens.bos}, {@code optimizer.max_grad_norm} (absent in
 * manifests written before clipping existed), {@code optimizer.graph_weight_decay}, {@code decay_rule} and
 * {@code decay_parameters} (absent before the runtime applied HF's weight-decay groups), {@code loss_inputs}, {@code tools},
 * {@code lora} (only in LoRA artifact sets).
 */
final class ManifestReader {
    private static final String SHA256_HEX = "[0-9a-fA-F]{64}";

    private ManifestReader() {}

    /**
     * @param file  the manifest (named in messages)
     * @param bytes its contents
     */
    static Manifest read(Path file, byte[] bytes) {
        JsonFields m = JsonFields.parse(file, bytes);
        JsonFields st = m.object("special_tokens");
        Manifest.SpecialTokens special = new Manifest.SpecialTokens(st.optionalInteger("bos"), st.integer("eos"),
                st.integer("pad"), st.bool("add_bos"), st.bool("add_eos_to_completion"));
        JsonFields opt = m.object("optimizer");
        Manifest.Optimizer optimizer = new Manifest.Optimizer(opt.string("type"), opt.numbers("betas"),
                opt.number("eps"), opt.number("weight_decay"), opt.optionalNumber("max_grad_norm"),
                opt.optionalNumber("graph_weight_decay"), opt.has("decay_rule") ? opt.string("decay_rule") : null,
                opt.has("decay_parameters") ? opt.strings("decay_parameters") : null);
        JsonFields tools = m.optionalObject("tools");
        JsonFields lossInputs = m.optionalObject("loss_inputs");
        @SuppressWarnings("unchecked")
        Map<String, Object> lossInputMap = lossInputs == null ? null
                : Files2.JSON.convertValue(m.raw("loss_inputs"), Map.class);
        return new Manifest(m.integer("format"), m.string("name"), m.string("architecture"),
                m.integer("vocab_size"), m.integer("max_positions"), m.integer("hidden_size"), m.integer("num_layers"),
                m.longInteger("num_parameters"), special, optimizer, m.strings("loss_variants"), lossInputMap,
                graphs(m.object("graphs")), tools == null ? null : tools.stringMembers(), files(m.object("files")),
                m.has("parameters") ? parameters(m) : null, m.has("lora") ? lora(m.object("lora")) : null);
    }

    private static LoraSection lora(JsonFields l) {
        List<LoraSection.Adapter> adapters = new ArrayList<>();
        for (JsonFields a : l.objects("adapters")) {
            adapters.add(new LoraSection.Adapter(a.string("module"), a.string("base"), a.string("lora_A"),
                    a.string("lora_B"), a.integer("in_features"), a.integer("out_features"), a.bool("fan_in_fan_out")));
        }
        JsonFields w = l.object("base_weights");
        return new LoraSection(l.integer("r"), l.number("alpha"), l.number("dropout"), l.number("scaling"),
                l.strings("target_modules"), adapters, w.string("file"), w.object("offsets").longMembers(),
                l.longInteger("num_trainable"));
    }

    private static List<Manifest.Parameter> parameters(JsonFields m) {
        List<Manifest.Parameter> out = new ArrayList<>();
        for (JsonFields p : m.objects("parameters")) {
            List<Long> shape = new ArrayList<>();
            for (Double d : p.numbers("shape")) {
                if (d < 0 || d != Math.floor(d)) {
                    throw p.error("shape", "non-negative integers", String.valueOf(d));
                }
                shape.add(d.longValue());
            }
            out.add(new Manifest.Parameter(p.string("name"), shape));
        }
        return out;
    }

    private static Map<String, Manifest.Graph> graphs(JsonFields graphs) {
        Map<String, Manifest.Graph> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonFields> g : graphs.objectMembers().entrySet()) {
            out.put(g.getKey(), new Manifest.Graph(values(g.getValue(), "inputs"), values(g.getValue(), "outputs")));
        }
        return out;
    }

    private static List<Manifest.Value> values(JsonFields graph, String key) {
        List<Manifest.Value> out = new ArrayList<>();
        for (JsonFields v : graph.objects(key)) {
            List<Object> shape = null;
            if (v.has("shape")) {
                shape = new ArrayList<>();
                List<JsonNode> dims = v.array("shape");
                for (int i = 0; i < dims.size(); i++) {
                    JsonNode d = dims.get(i);
                    if (d.canConvertToExactIntegral() && d.canConvertToInt()) {
                        shape.add(d.asInt());
                    } else if (d.isTextual() || d.isNull()) {
                        shape.add(d.isNull() ? null : d.asText());
                    } else {
                        throw v.error("shape[" + i + "]", "a dimension (an integer, a name or null)",
                                JsonFields.describe(d));
                    }
                }
            }
            out.add(new Manifest.Value(v.string("name"), v.has("type") ? v.string("type") : null, shape));
        }
        return out;
    }

    private static Map<String, String> files(JsonFields files) {
        Map<String, String> out = files.stringMembers();
        for (Map.Entry<String, String> e : out.entrySet()) {
            if (!e.getValue().matches(SHA256_HEX)) {
                throw files.error(e.getKey(), "a SHA-256 (64 hex digits)", JsonFields.describe(files.raw(e.getKey())));
            }
        }
        return out;
    }
}
