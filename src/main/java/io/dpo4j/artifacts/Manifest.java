package io.dpo4j.artifacts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code manifest.json} of an artifact set, as written by {@code tools/export/export.py} (see tools/CONTRACT.md). Read by
 * {@link ManifestReader}, which checks every field's presence and type before this record is built.
 *
 * @param format          manifest format version (1)
 * @param name            artifact set name, e.g. {@code tiny-gpt2}
 * @param architecture    {@code gpt2} or {@code llama}
 * @param vocabSize       V, rows of the embedding / columns of the logits
 * @param maxPositions    longest sequence the model accepts
 * @param hiddenSize      model width
 * @param numLayers       transformer blocks
 * @param numParameters   parameter count (a LoRA set: base plus adapters)
 * @param specialTokens   BOS/EOS/PAD ids and how they are added
 * @param optimizer       optimizer baked into optimizer_model.onnx
 * @param lossVariants    order of the {@code loss_mix} input
 * @param lossInputs      default value of every scalar loss input
 * @param graphs          per ONNX file: its inputs and outputs
 * @param tools           versions of the tools that wrote the set
 * @param files           SHA-256 (hex) of every file in the set except the manifest
 * @param parameters      the model's tensors under their Hugging Face names (a LoRA set: the frozen base's)
 * @param lora            the LoRA adapters trained on a frozen base, or null when every parameter is trained
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        @JsonProperty("format") int format,
        @JsonProperty("name") String name,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("max_positions") int maxPositions,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("num_layers") int numLayers,
        @JsonProperty("num_parameters") long numParameters,
        @JsonProperty("special_tokens") SpecialTokens specialTokens,
        @JsonProperty("optimizer") Optimizer optimizer,
        @JsonProperty("loss_variants") List<String> lossVariants,
        @JsonProperty("loss_inputs") Map<String, Object> lossInputs,
        @JsonProperty("graphs") Map<String, Graph> graphs,
        @JsonProperty("tools") Map<String, String> tools,
        @JsonProperty("files") Map<String, String> files,
        @JsonProperty("parameters") List<Parameter> parameters,
        @JsonProperty("lora") LoraSection lora) {

    /** Validates what the trainer relies on; names the field on failure. */
    public Manifest {
        require(format == 1, "format", "1", String.valueOf(format));
        require(vocabSize > 0, "vocab_size", "> 0", String.valueOf(vocabSize));
        require(maxPositions > 0, "max_positions", "> 0", String.valueOf(maxPositions));
        require(numParameters > 0, "num_parameters", "> 0", String.valueOf(numParameters));
        require(specialTokens != null, "special_tokens", "an object", "nothing");
        require(graphs != null && !graphs.isEmpty(), "graphs", "an object per ONNX file", "nothing");
        require(files != null && !files.isEmpty(), "files", "a checksum per file", "nothing");
        require(lossVariants != null && !lossVariants.isEmpty(), "loss_variants", "a list", "nothing");
        lossVariants = List.copyOf(lossVariants);
        lossInputs = lossInputs == null ? Map.of() : Map.copyOf(lossInputs);
        graphs = Map.copyOf(graphs);
        files = Map.copyOf(files);
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        parameters = parameters == null ? List.of() : List.copyOf(parameters);
    }

    /** @return true when the set trains LoRA adapters on a frozen base ({@link #lora()} is present) */
    public boolean isLora() {
        return lora != null;
    }

    /**
     * A trainable tensor of the model under its Hugging Face name (tied weights once). Absent (empty list) in
     * manifests written before {@code dpo4j export-hf} existed.
     *
     * @param name  Hugging Face parameter name, e.g. {@code transformer.h.0.attn.c_attn.weight}
     * @param shape dimensions
     */
    public record Parameter(@JsonProperty("name") String name, @JsonProperty("shape") List<Long> shape) {
        /** Copies the shape. */
        public Parameter {
            shape = List.copyOf(shape);
        }
    }

    private static void require(boolean ok, String field, String expected, String found) {
        if (!ok) {
            throw new ArtifactException("manifest.json: field '" + field + "': expected " + expected + ", found " + found);
        }
    }

    /**
     * Special token ids.
     *
     * @param bos                BOS id or null when the model has none
     * @param eos                EOS id
     * @param pad                id used for right padding
     * @param addBos             whether sequences start with BOS
     * @param addEosToCompletion whether EOS ends every completion
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SpecialTokens(
            @JsonProperty("bos") Integer bos,
            @JsonProperty("eos") int eos,
            @JsonProperty("pad") int pad,
            @JsonProperty("add_bos") boolean addBos,
            @JsonProperty("add_eos_to_completion") boolean addEosToCompletion) {}

    /**
     * The optimizer in optimizer_model.onnx.
     *
     * @param type         {@code adamw}
     * @param betas        (β1, β2)
     * @param eps          ε
     * @param weightDecay      default decoupled weight decay of runs on these artifacts
     * @param maxGradNorm      gradient clipping norm carried by the graph, or null when the artifacts do not clip
     * @param graphWeightDecay weight decay baked into the AdamW node (0 for artifacts that list
     *                         {@code decay_parameters}; older artifacts baked {@code weight_decay} into every tensor)
     * @param decayRule        {@code hf} (no decay for biases and LayerNorm/LlamaRMSNorm weights, HF Trainer's rule)
     *                         or {@code all}; null for older artifacts
     * @param decayParameters  the parameters the runtime decays (empty for older artifacts)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Optimizer(
            @JsonProperty("type") String type,
            @JsonProperty("betas") List<Double> betas,
            @JsonProperty("eps") double eps,
            @JsonProperty("weight_decay") double weightDecay,
            @JsonProperty("max_grad_norm") Double maxGradNorm,
            @JsonProperty("graph_weight_decay") Double graphWeightDecay,
            @JsonProperty("decay_rule") String decayRule,
            @JsonProperty("decay_parameters") List<String> decayParameters) {

        /** Fills the fields older manifests lack: their graph carried {@code weight_decay} for every tensor. */
        public Optimizer {
            graphWeightDecay = graphWeightDecay == null ? weightDecay : graphWeightDecay;
            decayParameters = decayParameters == null ? List.of() : List.copyOf(decayParameters);
        }

        /** @return true when the runtime applies weight decay (the graph's AdamW has none) */
        public boolean runtimeDecay() {
            return graphWeightDecay == 0.0 && decayRule != null;
        }
    }

    /** Inputs and outputs of one ONNX graph. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Graph(@JsonProperty("inputs") List<Value> inputs, @JsonProperty("outputs") List<Value> outputs) {
        /** Copies the lists. */
        public Graph {
            inputs = inputs == null ? List.of() : List.copyOf(inputs);
            outputs = outputs == null ? List.of() : List.copyOf(outputs);
        }

        /** @return input names in graph order */
        public List<String> inputNames() {
            return inputs.stream().map(Value::name).toList();
        }

        /** @return output names in graph order */
        public List<String> outputNames() {
            return outputs.stream().map(Value::name).toList();
        }
    }

    /**
     * One graph input or output.
     *
     * @param name  value name
     * @param type  element type, e.g. {@code float}, {@code int64}
     * @param shape dimensions: numbers or symbolic names such as {@code "N"}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Value(@JsonProperty("name") String name, @JsonProperty("type") String type,
                        @JsonProperty("shape") List<Object> shape) {
        /** Requires a name. */
        public Value {
            Objects.requireNonNull(name, "graph value without a name");
        }
    }
}
