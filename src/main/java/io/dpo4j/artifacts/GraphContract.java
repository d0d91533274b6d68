package io.dpo4j.artifacts;

import java.util.List;

/** The graph input and output names of tools/CONTRACT.md, in order. */
public final class GraphContract {
    /** Training/eval user inputs, in graph order. */
    public static final List<String> TRAIN_INPUTS = List.of(
            "input_ids", "attention_mask", "completion_mask", "ref_logps", "pref_prob", "pair_weight",
            "loss_mix", "beta", "label_smoothing", "length_alpha", "simpo_gamma", "rpo_alpha");
    /**
     * Training/eval user inputs of shared-prompt graphs (export.py {@code --shared-prompt}, tools/CONTRACT.md): one
     * packed row per pair, {@code segment_ids} in place of {@code attention_mask}.
     */
    public static final List<String> TRAIN_INPUTS_SHARED_PROMPT = TRAIN_INPUTS.stream()
            .map(n -> n.equals("attention_mask") ? "segment_ids" : n).toList();
    /**
     * Training/eval inputs added after the first artifacts (iLR-DPO's target length L and λ): a graph declares both
     * or neither. Graphs without them are fed without them, so older artifacts keep working with λ = 0.
     */
    public static final List<String> LENGTH_INPUTS = List.of("length_target", "length_lambda");
    /** Training/eval outputs, in graph order (the first is the loss). */
    public static final List<String> TRAIN_OUTPUTS = List.of("loss", "logps", "token_counts", "logits_sum", "pair_losses");
    /** Reference model inputs. */
    public static final List<String> REFERENCE_INPUTS = List.of("input_ids", "attention_mask", "completion_mask");
    /** Reference model outputs. */
    public static final List<String> REFERENCE_OUTPUTS = List.of("logps", "token_counts", "logits_sum");
    /** Inference model inputs. */
    public static final List<String> INFERENCE_INPUTS = List.of("input_ids", "attention_mask");
    /** Inference model outputs. */
    public static final List<String> INFERENCE_OUTPUTS = List.of("logits");

    /** Files every artifact set must hold besides manifest.json. */
    public static final List<String> REQUIRED_FILES = List.of(
            "training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "checkpoint",
            "reference_model.onnx", "inference_model.onnx", "tokenizer.json");

    private GraphContract() {}

    /** @return whether a training/eval graph declaring {@code inputNames} takes shared-prompt (packed) rows */
    public static boolean sharedPrompt(List<String> inputNames) {
        return inputNames.contains("segment_ids");
    }

    /** @return the training/eval inputs the contract requires of a graph declaring {@code inputNames} */
    public static List<String> trainInputs(List<String> inputNames) {
        return sharedPrompt(inputNames) ? TRAIN_INPUTS_SHARED_PROMPT : TRAIN_INPUTS;
    }

    /**
     * Fails unless {@code found} declares all of {@code optional} or none of them.
     *
     * @param what     e.g. "training_model.onnx inputs"
     * @param optional names a graph holds together
     * @param found    names the graph declares
     */
    public static void requireAllOrNone(String what, List<String> optional, List<String> found) {
        List<String> present = optional.stream().filter(found::contains).toList();
        if (!present.isEmpty() && present.size() != optional.size()) {
            throw new ArtifactException(what + ": expected all of " + optional + " or none, found only " + present
                    + " among " + found + "; re-export with tools/export/export.py");
        }
    }

    /**
     * Fails unless {@code found} contains every name of {@code expected} in the same relative order.
     *
     * @param what     e.g. "training_model.onnx inputs"
     * @param expected names required by the contract
     * @param found    names the graph declares
     */
    public static void requireNames(String what, List<String> expected, List<String> found) {
        List<String> relevant = found.stream().filter(expected::contains).toList();
        if (!relevant.equals(expected)) {
            throw new ArtifactException(what + ": expected " + expected + " (in this order), found " + found);
        }
    }
}
