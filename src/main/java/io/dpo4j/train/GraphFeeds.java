package io.dpo4j.train;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.GraphContract;
import io.dpo4j.data.Batch;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a collated batch and its loss inputs into native tensors in the order a session reports its inputs.
 * The caller closes the returned tensors (they own native buffers).
 */
public final class GraphFeeds {
    private GraphFeeds() {}

    /**
     * @return tensors for {@code inputNames}, each from the batch (packed by {@link SharedPromptRows} for a
     *     shared-prompt graph) or the loss inputs; a loss input the graph does not declare is not fed (artifacts
     *     exported before it), which is refused when it would change the loss
     */
    public static List<Tensor> forTraining(List<String> inputNames, Batch batch, LossInputs loss) {
        requireLossInputs(inputNames, loss.lengthLambda(), "the training/eval graph");
        Map<String, float[]> lossArrays = loss.asMap();
        SharedPromptRows packed = GraphContract.sharedPrompt(inputNames) ? SharedPromptRows.of(batch) : null;
        List<Tensor> out = new ArrayList<>(inputNames.size());
        try {
            for (String name : inputNames) {
                float[] f = lossArrays.get(name);
                out.add(f != null ? Tensor.ofFloats(f, f.length)
                        : packed != null ? packedTensor(name, packed) : sequenceTensor(name, batch));
            }
        } catch (RuntimeException e) {
            out.forEach(Tensor::close);
            throw e;
        }
        return out;
    }

    /**
     * Fails when iLR-DPO's target-length term is on ({@code lengthLambda} ≠ 0) and the graph lacks its inputs
     * ({@link GraphContract#LENGTH_INPUTS}): artifacts exported before the term cannot compute it.
     *
     * @param inputNames   the graph's inputs
     * @param lengthLambda λ as configured (a {@code double} of {@link LossConfig} or a {@code float} as fed; printed
     *                     as given)
     * @param graph        the graph, for the message (e.g. its file)
     */
    public static void requireLossInputs(List<String> inputNames, Number lengthLambda, String graph) {
        if (lengthLambda.doubleValue() != 0 && !inputNames.containsAll(GraphContract.LENGTH_INPUTS)) {
            throw new IllegalArgumentException("--length-lambda " + lengthLambda + ": expected " + graph
                    + " to have the inputs " + GraphContract.LENGTH_INPUTS + " of iLR-DPO's length term, found "
                    + inputNames + " (exported before the term); re-export with tools/export/export.py, or use "
                    + "--length-lambda 0");
        }
    }

    /**
     * Refuses, before any work, a loss the artifacts' training and eval graphs cannot compute (from the manifest's
     * graph signatures, which {@link ArtifactSet#load} checked).
     */
    public static void requireLossInputs(ArtifactSet art, LossConfig loss) {
        for (String f : List.of("training_model.onnx", "eval_model.onnx")) {
            requireLossInputs(art.manifest().graphs().get(f).inputNames(), loss.lengthLambda(),
                    art.dir().resolve(f).toString());
        }
    }

    /** @return the three sequence tensors by name, for the reference model */
    public static Map<String, Tensor> forReference(Batch batch) {
        Map<String, Tensor> m = new HashMap<>();
        for (String name : List.of("input_ids", "attention_mask", "completion_mask")) {
            m.put(name, sequenceTensor(name, batch));
        }
        return m;
    }

    private static Tensor sequenceTensor(String name, Batch b) {
        long n = 2L * b.pairs();
        long t = b.seqLen();
        return switch (name) {
            case "input_ids" -> Tensor.ofLongs(b.inputIds(), n, t); // (N, T)
            case "attention_mask" -> Tensor.ofLongs(b.attentionMask(), n, t); // (N, T)
            case "completion_mask" -> Tensor.ofLongs(b.completionMask(), n, t); // (N, T)
            default -> throw new IllegalStateException("graph input '" + name + "' is not in tools/CONTRACT.md; "
                    + "expected one of input_ids, attention_mask, completion_mask or a loss input");
        };
    }

    private static Tensor packedTensor(String name, SharedPromptRows p) {
        return switch (name) {
            case "input_ids" -> Tensor.ofLongs(p.inputIds(), p.pairs(), p.width()); // (B, L)
            case "segment_ids" -> Tensor.ofLongs(p.segmentIds(), p.pairs(), p.width()); // (B, L)
            case "completion_mask" -> Tensor.ofLongs(p.completionMask(), p.pairs(), p.width()); // (B, L)
            default -> throw new IllegalStateException("shared-prompt graph input '" + name + "' is not in "
                    + "tools/CONTRACT.md; expected one of input_ids, segment_ids, completion_mask or a loss input");
        };
    }

    /** @return the real (non-padding) tokens of the batch */
    static long realTokens(Batch b) {
        long n = 0;
        for (long m : b.attentionMask()) {
            n += m;
        }
        return n;
    }
}
