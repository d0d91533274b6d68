package io.dpo4j.generate;

import io.dpo4j.artifacts.Manifest;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.PreparedRun;
import io.dpo4j.runtime.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Batched generation with a KV cache on {@code inference_kv_model.onnx} (tools/CONTRACT.md): all sequences of all
 * prompts run as one batch; prompts are left-padded (attention mask 0, position ids counting real tokens only) and
 * prefilled in one run with an empty cache, then every step feeds one new token per sequence and the previous step's
 * {@code present.*} outputs as {@code past.*}: the cache stays in ORT's native memory, never copied to Java. One
 * {@link PreparedRun} serves all runs of a call (names copied to native memory once); every step after the prefill
 * writes its (N, 1, V) logits into one tensor allocated once, and only each sequence's row is copied out. Finished sequences stay in the batch until all are done; their outputs
 * are ignored.
 */
public final class KvCacheGenerator implements TokenGenerator {
    /** The graph file this generator runs. */
    public static final String GRAPH = "inference_kv_model.onnx";
    private static final long PAD = 0; // id fed at padded positions; masked, so any valid id does

    private final InferenceSession session;
    private final int layers;
    private final List<String> inputs; // input_ids, attention_mask, position_ids, past.{i}.key/value
    private final List<String> outputs; // logits, present.{i}.key/value
    private final int kvHeads;
    private final int headDim;
    private final int eos;
    private final int maxPositions;

    /**
     * @param session      session on inference_kv_model.onnx
     * @param kvHeads      key/value heads of the cache (KV in (N, KV, P, D))
     * @param headDim      head size (D)
     * @param eos          end-of-sequence id (a sequence stops after it; -1 = never)
     * @param maxPositions the model's longest sequence
     * @throws IllegalArgumentException when the graph's inputs / outputs are not the contract's
     */
    public KvCacheGenerator(InferenceSession session, int kvHeads, int headDim, int eos, int maxPositions) {
        this.layers = countLayers(session);
        this.session = session;
        this.inputs = new ArrayList<>(List.of("input_ids", "attention_mask", "position_ids"));
        this.outputs = new ArrayList<>(List.of("logits"));
        for (int l = 0; l < layers; l++) {
            inputs.add("past." + l + ".key");
            inputs.add("past." + l + ".value");
            outputs.add("present." + l + ".key");
            outputs.add("present." + l + ".value");
        }
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.eos = eos;
        this.maxPositions = maxPositions;
    }

    /**
     * Reads (KV heads, head size) from the manifest signature of {@code inference_kv_model.onnx}.
     *
     * @return {kvHeads, headDim}
     */
    public static int[] cacheShape(Manifest manifest) {
        Manifest.Graph g = manifest.graphs().get(GRAPH);
        if (g == null) {
            throw new IllegalArgumentException("manifest.json: field 'graphs': expected an entry " + GRAPH
                    + ", found " + manifest.graphs().keySet());
        }
        for (Manifest.Value v : g.inputs()) {
            if (v.name().equals("past.0.key")) {
                List<Object> s = v.shape();
                if (s == null || s.size() != 4 || !(s.get(1) instanceof Integer kv) || !(s.get(3) instanceof Integer d)) {
                    throw new IllegalArgumentException("manifest.json: " + GRAPH + " input past.0.key: expected shape "
                            + "[N, KV, P, D] with fixed KV and D, found " + s);
                }
                return new int[] {kv, d};
            }
        }
        throw new IllegalArgumentException("manifest.json: " + GRAPH + ": expected an input past.0.key, found "
                + g.inputs().stream().map(Manifest.Value::name).toList());
    }

    private static int countLayers(InferenceSession s) {
        int layers = 0;
        while (s.inputNames().contains("past." + layers + ".key")) {
            layers++;
        }
        Set<String> in = new HashSet<>(List.of("input_ids", "attention_mask", "position_ids"));
        List<String> out = new ArrayList<>(List.of("logits"));
        for (int i = 0; i < layers; i++) {
            in.add("past." + i + ".key");
            in.add("past." + i + ".value");
            out.add("present." + i + ".key");
            out.add("present." + i + ".value");
        }
        if (layers == 0 || !new HashSet<>(s.inputNames()).equals(in) || !s.outputNames().containsAll(out)) {
            throw new IllegalArgumentException("KV-cache generation: expected a graph with inputs input_ids, "
                    + "attention_mask, position_ids, past.{i}.key/value and outputs logits, present.{i}.key/value, found "
                    + "inputs " + s.inputNames() + ", outputs " + s.outputNames());
        }
        return layers;
    }

    @Override
    public String method() {
        return "KV cache";
    }

    @Override
    public List<long[]> generate(List<long[]> prompts, SamplingConfig cfg, StopStrings stop) {
        long[] seeds = new long[prompts.size()];
        java.util.Arrays.fill(seeds, cfg.seed());
        return generate(prompts, cfg, stop, seeds);
    }

    /**
     * As {@link #generate(List, SamplingConfig, StopStrings)}, with a seed per prompt: sample j of prompt i draws
     * from {@code SplittableRandom(seeds[i] + j)} ({@code cfg.seed()} is not used). With the same seed for every
     * prompt, sample j of all prompts shares one random stream, so on a near-uniform model their tokens are
     * correlated; distinct seeds (e.g. {@code base + i · samples}) make every sequence's draws independent.
     *
     * @param seeds one seed per prompt
     */
    public List<long[]> generate(List<long[]> prompts, SamplingConfig cfg, StopStrings stop, long[] seeds) {
        if (seeds.length != prompts.size()) {
            throw new IllegalArgumentException("generation: expected one seed per prompt (" + prompts.size()
                    + "), found " + seeds.length);
        }
        List<Sequence> rows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            for (int j = 0; j < cfg.samples(); j++) {
                Sequence s = new Sequence(prompts.get(i), seeds[i] + j, cfg);
                s.checkDone(eos, maxPositions, cfg, stop);
                rows.add(s);
            }
        }
        if (!rows.stream().allMatch(Sequence::done)) {
            decode(rows, cfg, stop);
        }
        return rows.stream().map(Sequence::generated).toList();
    }

    private void decode(List<Sequence> rows, SamplingConfig cfg, StopStrings stop) {
        int n = rows.size();
        int width = rows.stream().mapToInt(Sequence::promptLength).max().orElseThrow();
        long[] ids = new long[n * width]; // (N, S)
        long[] mask = new long[n * width]; // (N, P+S)
        long[] pos = new long[n * width]; // (N, S)
        for (int i = 0; i < n; i++) {
            Sequence s = rows.get(i);
            int pad = width - s.promptLength();
            for (int t = 0; t < width; t++) {
                boolean real = t >= pad;
                ids[i * width + t] = real ? s.token(t - pad) : PAD;
                mask[i * width + t] = real ? 1 : 0;
                pos[i * width + t] = real ? t - pad : 0;
            }
        }
        List<Tensor> cache = new ArrayList<>();
        Tensor stepLogits = null; // (N, 1, V) written by every run after the prefill
        try (PreparedRun call = session.prepare(inputs, outputs)) {
            for (int l = 0; l < 2 * layers; l++) {
                cache.add(Tensor.ofFloats(new float[0], n, kvHeads, 0, headDim)); // (N, KV, 0, D)
            }
            int columns = width;
            int step = width; // new positions in this run
            while (true) {
                List<Tensor> outs = run(call, ids, mask, pos, n, step, columns, cache, step == 1 ? stepLogits : null);
                cache.forEach(Tensor::close);
                cache = new ArrayList<>(outs.subList(1, outs.size()));
                Tensor logits = outs.get(0); // (N, S, V)
                int vocab = Math.toIntExact(logits.shape()[2]);
                try {
                    sampleLastPositions(rows, logits, step, vocab, cfg, stop);
                } finally {
                    if (logits != stepLogits) {
                        logits.close();
                    }
                }
                if (rows.stream().allMatch(Sequence::done)) {
                    return;
                }
                stepLogits = stepLogits != null ? stepLogits : Tensor.zerosFloat(n, 1, vocab); // (N, 1, V)
                long[] grown = new long[n * (columns + 1)]; // (N, P+1)
                ids = new long[n]; // (N, 1)
                pos = new long[n]; // (N, 1)
                for (int i = 0; i < n; i++) {
                    System.arraycopy(mask, i * columns, grown, i * (columns + 1), columns);
                    grown[i * (columns + 1) + columns] = 1;
                    ids[i] = rows.get(i).last();
                    pos[i] = rows.get(i).length() - 1;
                }
                mask = grown;
                columns++;
                step = 1;
            }
        } finally {
            cache.forEach(Tensor::close);
            if (stepLogits != null) {
                stepLogits.close();
            }
        }
    }

    /** Samples the next token of every unfinished sequence from its last position's row of (N, S, V) logits. */
    private void sampleLastPositions(List<Sequence> rows, Tensor logits, int step, int vocab, SamplingConfig cfg,
                                     StopStrings stop) {
        float[] row = new float[vocab]; // (V)
        for (int i = 0; i < rows.size(); i++) {
            Sequence s = rows.get(i);
            if (!s.done()) {
                logits.copyFloats(((long) i * step + step - 1) * vocab, row);
                s.sample(row, 0, vocab, cfg);
                s.checkDone(eos, maxPositions, cfg, stop);
            }
        }
    }

    /**
     * One run: (N, S) new tokens over (N, P+S) mask with the cache; returns logits (written into {@code logitsInto}
     * when given) then present.* in layer order.
     */
    private List<Tensor> run(PreparedRun call, long[] ids, long[] mask, long[] pos, int n, int step, int columns,
                             List<Tensor> cache, Tensor logitsInto) {
        try (Tensor idsT = Tensor.ofLongs(ids, n, step); // (N, S)
             Tensor maskT = Tensor.ofLongs(mask, n, columns); // (N, P+S)
             Tensor posT = Tensor.ofLongs(pos, n, step)) { // (N, S)
            List<Tensor> feeds = new ArrayList<>(3 + cache.size()); // in the order of call.inputNames()
            feeds.add(idsT);
            feeds.add(maskT);
            feeds.add(posT);
            feeds.addAll(cache); // past.{i}.key, past.{i}.value: (N, KV, P, D) each
            List<Tensor> into = new ArrayList<>(Collections.nCopies(outputs.size(), (Tensor) null));
            into.set(0, logitsInto);
            return call.run(feeds, into);
        }
    }
}
