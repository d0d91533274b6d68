package io.dpo4j.generate;

import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generation without a KV cache, on any graph whose output {@code logits} is (1, T, V): every step re-runs the whole
 * prefix, one sequence at a time. Feeds {@code input_ids}, {@code attention_mask} (ones) and, where the graph asks
 * for it, a zero {@code completion_mask}. The fallback for graphs without a cache (e.g. a policy written by
 * {@code export-inference}); {@link KvCacheGenerator} is the fast path.
 */
public final class Generator implements TokenGenerator {
    private final InferenceSession session;
    private final int eos;
    private final int maxPositions;

    /**
     * @param session      session on inference_model.onnx or an exported policy with a {@code logits} output
     * @param eos          end-of-sequence id (a sequence stops after it; -1 = never)
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

    @Override
    public List<long[]> generate(List<long[]> prompts, SamplingConfig cfg, StopStrings stop) {
        List<long[]> out = new ArrayList<>();
        for (long[] prompt : prompts) {
            for (int j = 0; j < cfg.samples(); j++) {
                Sequence seq = new Sequence(prompt, j, cfg);
                seq.checkDone(eos, maxPositions, cfg, stop);
                while (!seq.done()) {
                    long[] ids = new long[seq.length()];
                    Arrays.setAll(ids, seq::token);
                    float[] logits = forward(ids); // (1, T, V)
                    int vocab = logits.length / ids.length;
                    seq.sample(logits, (ids.length - 1) * vocab, vocab, cfg);
                    seq.checkDone(eos, maxPositions, cfg, stop);
                }
                out.add(seq.generated());
            }
        }
        return out;
    }

    @Override
    public String method() {
        return "no cache";
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
