package io.dpo4j.train;

import io.dpo4j.data.Batch;
import io.dpo4j.data.Collator;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The reference model's sequence log-probs for every pair, computed once in Java through reference_model.onnx and
 * kept in a {@link ReferenceCache}. Pairs already cached are not recomputed; results are flushed every
 * {@value #FLUSH_EVERY} batches and when the pass ends or fails, so a failed run keeps what it computed.
 */
public final class ReferencePass {
    static final int FLUSH_EVERY = 50;

    private ReferencePass() {}

    /**
     * @param session   session on reference_model.onnx; may be null when every pair is cached (it is not used then)
     * @param pairs     tokenized pairs
     * @param batchSize pairs per forward pass
     * @param padId     padding token id
     * @param cache     where results are looked up and stored
     * @param progress  called with the number of pairs done after each batch (may be a no-op)
     * @return {@code [chosen (P), rejected (P)]} reference log-probs aligned with {@code pairs}
     */
    public static float[][] compute(InferenceSession session, List<TokenizedPair> pairs, int batchSize, int padId,
                                    ReferenceCache cache, IntConsumer progress) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (cache.get(pairs.get(i)) == null) {
                missing.add(i);
            }
        }
        int batches = 0;
        boolean unsaved = false;
        try {
            for (int from = 0; from < missing.size(); from += batchSize) {
                List<TokenizedPair> chunk = new ArrayList<>();
                for (int j = from; j < Math.min(missing.size(), from + batchSize); j++) {
                    chunk.add(pairs.get(missing.get(j)));
                }
                float[] logps = forward(session, Collator.collate(chunk, padId)); // (N)
                int b = chunk.size();
                for (int j = 0; j < b; j++) {
                    cache.put(chunk.get(j), logps[j], logps[b + j]);
                }
                unsaved = true;
                if (++batches % FLUSH_EVERY == 0) {
                    cache.flush();
                    unsaved = false;
                }
                progress.accept(pairs.size() - missing.size() + from + b);
            }
        } finally {
            if (unsaved) {
                cache.flush(); // also when a batch failed: what was computed stays on disk
            }
        }
        float[][] out = new float[2][pairs.size()]; // (2, P)
        for (int i = 0; i < pairs.size(); i++) {
            float[] v = cache.get(pairs.get(i));
            out[0][i] = v[0];
            out[1][i] = v[1];
        }
        return out;
    }

    /**
     * Reference log-probs of a run's training and held-out pairs through one session on reference_model.onnx and
     * the run's cache file; logs what was computed and what came from the cache. The reference model is loaded only
     * when some pair is missing from the cache, and its session (weights, ORT arena and thread pool) is released
     * before this returns, so training never holds it.
     *
     * @return {@code [train, eval]}, each {@code [chosen (P), rejected (P)]}
     */
    public static float[][][] forData(OrtEnvironment env, SessionConfig sc, ArtifactSet art, PreparedData data,
                                      Path cacheDir, int batchSize, PrintStream log) {
        return forData(env, sc, art, data, cacheDir, batchSize, log, null, null);
    }

    /**
     * As {@link #forData(OrtEnvironment, SessionConfig, ArtifactSet, PreparedData, Path, int, PrintStream)}, with the
     * reference model's weights taken from a checkpoint: {@code reference_model.onnx} runs with the checkpoint's
     * parameters as initializer overrides ({@link CheckpointWeights#overrides}), and the cache is keyed by the
     * checkpoint's ORT checksum too.
     *
     * @param checkpoint   checkpoint directory of a run on {@code art}, or null for the starting weights
     * @param ortChecksum  SHA-256 of its ORT file (null with {@code checkpoint} null)
     */
    public static float[][][] forData(OrtEnvironment env, SessionConfig sc, ArtifactSet art, PreparedData data,
                                      Path cacheDir, int batchSize, PrintStream log, Path checkpoint,
                                      String ortChecksum) {
        String model = art.checksum("reference_model.onnx");
        if (checkpoint != null) {
            model = io.dpo4j.util.Files2.sha256((model + "|weights=" + ortChecksum)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        ReferenceCache cache = ReferenceCache.open(cacheDir, model, data.dataChecksum(), data.settings());
        long cached = Stream.concat(data.train().stream(), data.eval().stream()).filter(p -> cache.get(p) != null)
                .count();
        long t0 = System.nanoTime();
        int pad = art.manifest().specialTokens().pad();
        int total = data.train().size() + data.eval().size();
        Path graph = art.file("reference_model.onnx");
        float[][][] out = forPairs(() -> checkpoint == null ? InferenceSession.open(env, sc, graph)
                : InferenceSession.open(env, sc, graph, CheckpointWeights.overrides(env, sc, art, checkpoint,
                        HashCache.in(cacheDir))),
                data.train(), data.eval(), batchSize, pad, cache);
        String weights = checkpoint == null ? "" : " (weights of " + checkpoint + ")";
        if (cached == total) {
            log.printf("reference log-probs%s: all %d pairs cached in %s; reference model not loaded%n", weights,
                    total, cache.file());
        } else {
            log.printf("reference log-probs%s: %d pairs (%d already cached in %s) in %.1f s%n", weights, total,
                    cached, cache.file(), (System.nanoTime() - t0) / 1e9);
        }
        return out;
    }

    /**
     * @param opener opens a session on reference_model.onnx; called at most once, and not at all when every pair of
     *               {@code train} and {@code eval} is cached
     * @return {@code [train, eval]}, each {@code [chosen (P), rejected (P)]}
     */
    static float[][][] forPairs(Supplier<InferenceSession> opener, List<TokenizedPair> train, List<TokenizedPair> eval,
                                int batchSize, int padId, ReferenceCache cache) {
        boolean complete = Stream.concat(train.stream(), eval.stream()).allMatch(p -> cache.get(p) != null);
        if (complete) {
            return new float[][][] {compute(null, train, batchSize, padId, cache, done -> { }),
                compute(null, eval, batchSize, padId, cache, done -> { })};
        }
        try (InferenceSession ref = opener.get()) {
            return new float[][][] {compute(ref, train, batchSize, padId, cache, done -> { }),
                compute(ref, eval, batchSize, padId, cache, done -> { })};
        }
    }

    /** @return summed completion log-probs of every row of the batch  (N) */
    static float[] forward(InferenceSession session, Batch batch) {
        Map<String, Tensor> feeds = GraphFeeds.forReference(batch);
        try {
            List<Tensor> outs = session.run(feeds, List.of("logps"));
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
