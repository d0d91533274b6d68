package io.dpo4j.iterate;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.generate.KvCacheGenerator;
import io.dpo4j.generate.SamplingConfig;
import io.dpo4j.generate.StopStrings;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.train.CheckpointWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One policy of an iterative run — the artifacts' starting weights or a round's checkpoint — for the two things the
 * loop asks of it: sampling completions (the artifacts' KV-cache graph, {@link KvCacheGenerator}) and the summed
 * log-prob of given completions ({@code reference_model.onnx}, the graph the reference pass uses). A checkpoint's
 * parameters replace the graphs' starting weights as initializer overrides ({@link CheckpointWeights#overrides}).
 * Each call opens its session and closes it before returning, so a policy holds no native memory between calls.
 */
final class PolicyModel {
    /** Rows per generation batch (prompts × samples), bounding the KV cache's memory. */
    static final int GENERATE_ROWS = 256;
    /** Rows per log-prob forward pass. */
    static final int LOGP_ROWS = 32;

    private final OrtEnvironment env;
    private final SessionConfig sc;
    private final ArtifactSet art;
    private final Path checkpoint;

    /**
     * @param checkpoint a checkpoint directory of a run on {@code art}, or null for the starting weights
     */
    PolicyModel(OrtEnvironment env, SessionConfig sc, ArtifactSet art, Path checkpoint) {
        if (!art.manifest().graphs().containsKey(KvCacheGenerator.GRAPH)) {
            throw new IllegalArgumentException(art.dir() + ": expected the KV-cache graph " + KvCacheGenerator.GRAPH
                    + " (iterate samples with it), found none; re-export the artifacts");
        }
        this.env = env;
        this.sc = sc;
        this.art = art;
        this.checkpoint = checkpoint;
    }

    /** @return the checkpoint directory, or null for the starting weights */
    Path checkpoint() {
        return checkpoint;
    }

    private Map<String, Tensor> weights() {
        return checkpoint == null ? Map.of() : CheckpointWeights.overrides(env, sc, art, checkpoint);
    }

    /**
     * Samples {@code cfg.samples()} completions per prompt, prompt-major (prompt 0's samples, then prompt 1's, ...);
     * sample j of prompt i draws from {@code SplittableRandom(cfg.seed() + i·samples + j)}: every sequence has its own
     * stream (one stream per sample index for all prompts made the prompts' samples of a near-uniform model share
     * their tokens), and a prompt's samples do not depend on how the prompts are batched.
     *
     * @return generated ids per sequence, EOS included when produced
     */
    List<long[]> generate(List<long[]> prompts, SamplingConfig cfg, StopStrings stop) {
        int eos = art.manifest().specialTokens().eos();
        int[] kv = KvCacheGenerator.cacheShape(art.manifest());
        List<long[]> out = new ArrayList<>();
        try (InferenceSession s = InferenceSession.open(env, sc, art.file(KvCacheGenerator.GRAPH), weights())) {
            KvCacheGenerator gen = new KvCacheGenerator(s, kv[0], kv[1], eos, art.manifest().maxPositions());
            int perBatch = Math.max(1, GENERATE_ROWS / cfg.samples());
            for (int from = 0; from < prompts.size(); from += perBatch) {
                int to = Math.min(prompts.size(), from + perBatch);
                long[] seeds = new long[to - from];
                for (int i = from; i < to; i++) {
                    seeds[i - from] = cfg.seed() + (long) i * cfg.samples();
                }
                out.addAll(gen.generate(prompts.subList(from, to), cfg, stop, seeds));
            }
        }
        return out;
    }

    /**
     * @param prompts     prompt ids per sequence
     * @param completions completion ids per sequence (aligned; may be empty: its log-prob is 0)
     * @return Σ log p(completion token | prefix) per sequence, from {@code reference_model.onnx}'s {@code logps}
     */
    double[] logProbs(List<long[]> prompts, List<long[]> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException("log-probs: expected one completion per prompt (" + prompts.size()
                    + "), found " + completions.size());
        }
        double[] out = new double[prompts.size()];
        int pad = art.manifest().specialTokens().pad();
        try (InferenceSession s = InferenceSession.open(env, sc, art.file("reference_model.onnx"), weights())) {
            for (int from = 0; from < out.length; from += LOGP_ROWS) {
                int to = Math.min(out.length, from + LOGP_ROWS);
                float[] lp = forward(s, prompts.subList(from, to), completions.subList(from, to), pad); // (N)
                for (int i = from; i < to; i++) {
                    out[i] = lp[i - from];
                }
            }
        }
        return out;
    }

    /** One right-padded batch through the log-prob graph; returns logps (N). */
    private static float[] forward(InferenceSession s, List<long[]> prompts, List<long[]> completions, int pad) {
        int n = prompts.size();
        int t = 1;
        for (int i = 0; i < n; i++) {
            t = Math.max(t, prompts.get(i).length + completions.get(i).length);
        }
        long[] ids = new long[n * t]; // (N, T)
        long[] attention = new long[n * t]; // (N, T)
        long[] completion = new long[n * t]; // (N, T)
        Arrays.fill(ids, pad);
        for (int i = 0; i < n; i++) {
            long[] p = prompts.get(i);
            long[] c = completions.get(i);
            System.arraycopy(p, 0, ids, i * t, p.length);
            System.arraycopy(c, 0, ids, i * t + p.length, c.length);
            for (int j = 0; j < p.length + c.length; j++) {
                attention[i * t + j] = 1;
                completion[i * t + j] = j >= p.length && j > 0 ? 1 : 0;
            }
        }
        Map<String, Tensor> feeds = new HashMap<>();
        try {
            feeds.put("input_ids", Tensor.ofLongs(ids, n, t)); // (N, T)
            feeds.put("attention_mask", Tensor.ofLongs(attention, n, t)); // (N, T)
            feeds.put("completion_mask", Tensor.ofLongs(completion, n, t)); // (N, T)
            List<Tensor> outs = s.run(feeds, List.of("logps"));
            try {
                return outs.get(0).toFloats(); // (N)
            } finally {
                outs.forEach(Tensor::close);
            }
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }
}
