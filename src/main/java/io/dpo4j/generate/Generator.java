package io.dpo4j.generate;

import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Autoregressive generation on an inference session whose output {@code logits} is (1, T, V). Feeds
 * {@code input_ids}, {@code attention_mask} (ones) and, where the graph asks for it, a zero {@code completion_mask}.
 */
public final class Generator {
    private final InferenceSession session;
    private final int eos;
    private final int maxPositions;

    /**
     * @param session      session on inference_model.onnx or an exported policy with a {@code logits} output
     * @param eos          end-of-sequence id (generation stops after it)
     * @param maxPositions the model's longest sequence
     */
    public Generator(InferenceSession session, int eos, int maxPositions) {
        if (!session.outputNames().contains("logits")) {
            throw new IllegalArgumentException("generation needs a graph with a 'logits' output, found "
                    + session.outputNames() + " (use inference_model.onnx or export-inference --outputs logits)");
        }
        this.session = session;
        this.eos = eos;
        this.maxPositions = maxPositions;
    }

    /** @return the generated token ids (the prompt excluded; EOS included when it was produced) */
    public long[] generate(long[] prompt, SamplingConfig cfg) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt: expected at least one token, found none");
        }
        SplittableRandom random = new SplittableRandom(cfg.seed());
        long[] ids = Arrays.copyOf(prompt, prompt.length);
        List<Long> out = new ArrayList<>();
        while (out.size() < cfg.maxNewTokens() && ids.length < maxPositions) {
            float[] logits = forward(ids); // (T, V)
            int vocab = logits.length / ids.length;
            int next = Sampler.next(logits, (ids.length - 1) * vocab, vocab, cfg, random);
            out.add((long) next);
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = next;
            if (next == eos) {
                break;
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private float[] forward(long[] ids) {
        long t = ids.length;
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        Map<String, Tensor> feeds = new HashMap<>();
        try {
            for (String name : session.inputNames()) {
                feeds.put(name, switch (name) {
                    case "input_ids" -> Tensor.ofLongs(ids, 1, t); // (1, T)
                    case "attention_mask" -> Tensor.ofLongs(ones, 1, t); // (1, T)
                    case "completion_mask" -> Tensor.ofLongs(new long[ids.length], 1, t); // (1, T)
                    default -> throw new IllegalArgumentException("generation: unexpected graph input '" + name
                            + "' (expected input_ids, attention_mask, completion_mask)");
                });
            }
            List<Tensor> outs = session.run(feeds, List.of("logits"));
            try {
                return outs.get(0).toFloats(); // (1, T, V)
            } finally {
                outs.forEach(Tensor::close);
            }
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }
}
