package io.dpo4j.judge;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.util.ConfinedPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A judge that is an ONNX sequence classifier or reward model: a judge directory holds {@code judge.json}
 * ({@link JudgeConfig}), the model and a Hugging Face {@code tokenizer.json}. Each candidate's text (the completion,
 * or prompt + completion) is tokenized without special tokens, cut to fit {@code max_length} with the configured
 * prefix and suffix ids around it, right-padded with {@code pad_id} into batches of {@code batch_size} rows, and run
 * through ORT; each output row becomes one score ({@link JudgeConfig.ScoreKind}). Works for Hugging Face
 * sequence-classification exports ({@code input_ids}, {@code attention_mask} int64 (B, T) to {@code logits} (B, C))
 * and reward models with one output per row.
 */
public final class OnnxClassifierJudge implements Judge {
    private final Path dir;
    private final JudgeConfig cfg;
    private final OrtEnvironment env;
    private final InferenceSession session;
    private final HuggingFaceTokenizer tokenizer;

    private OnnxClassifierJudge(Path dir, JudgeConfig cfg, OrtEnvironment env, InferenceSession session,
                                HuggingFaceTokenizer tokenizer) {
        this.dir = dir;
        this.cfg = cfg;
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
    }

    /**
     * Opens a judge directory.
     *
     * @param dir the directory holding judge.json, the model and the tokenizer
     * @param sessionConfig where and how ORT runs the model
     * @throws IllegalArgumentException naming the file (and field) that is missing, invalid or does not match the
     *                                  model (an input or output the model lacks, a model input left unfed)
     */
    public static OnnxClassifierJudge open(Path dir, SessionConfig sessionConfig) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("onnx judge " + dir + ": expected a judge directory (judge.json, "
                    + "model, tokenizer.json), found " + (Files.exists(dir) ? "a file" : "nothing"));
        }
        JudgeConfig cfg = JudgeConfig.read(inside(dir, "judge.json", "judge.json"));
        Path model = inside(dir, cfg.model(), "judge.json model");
        Path tokenizerFile = inside(dir, cfg.tokenizer(), "judge.json tokenizer");
        HuggingFaceTokenizer tok;
        try {
            tok = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerFile).optAddSpecialTokens(false)
                    .optTruncation(false).optPadding(false).build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(tokenizerFile + ": cannot load the tokenizer: " + e.getMessage(), e);
        }
        OrtEnvironment env = null;
        InferenceSession session = null;
        try {
            env = OrtEnvironment.create("dpo4j-judge");
            session = InferenceSession.open(env, sessionConfig, model);
            check(dir, cfg, session);
            return new OnnxClassifierJudge(dir, cfg, env, session, tok);
        } catch (RuntimeException e) {
            tok.close();
            if (session != null) {
                session.close();
            }
            if (env != null) {
                env.close();
            }
            throw e;
        }
    }

    private static Path inside(Path dir, String name, String what) {
        try {
            return ConfinedPath.resolve(dir, name).path();
        } catch (ConfinedPath.Violation v) {
            throw new IllegalArgumentException(dir.resolve("judge.json") + " " + what + " '" + name + "': expected a "
                    + "regular file inside " + dir + ", found " + v.getMessage());
        }
    }

    private static void check(Path dir, JudgeConfig cfg, InferenceSession session) {
        Path file = dir.resolve("judge.json");
        List<String> graphInputs = session.inputNames();
        for (String name : cfg.inputNames()) {
            if (!graphInputs.contains(name)) {
                throw new IllegalArgumentException(file + " inputs: expected names among the model's inputs "
                        + graphInputs + ", found '" + name + "'");
            }
        }
        for (String name : graphInputs) {
            if (!cfg.inputNames().contains(name)) {
                throw new IllegalArgumentException(file + " inputs: the model input '" + name + "' is not fed; "
                        + "expected every model input " + graphInputs + " mapped, found " + cfg.inputNames());
            }
        }
        if (!session.outputNames().contains(cfg.output())) {
            throw new IllegalArgumentException(file + " output: expected one of the model's outputs "
                    + session.outputNames() + ", found '" + cfg.output() + "'");
        }
    }

    /** @return the parsed judge.json */
    public JudgeConfig config() {
        return cfg;
    }

    /**
     * The ids one candidate's text is fed as: the tokenized text (no special tokens), cut to
     * {@code max_length − |prefix| − |suffix|} from its start or end, between the prefix and suffix ids.
     */
    public long[] encode(Candidate c) {
        String text = cfg.text().of(c);
        long[] body = text.isEmpty() ? new long[0] : tokenizer.encode(text, false, false).getIds();
        int room = cfg.maxLength() - cfg.prefixIds().size() - cfg.suffixIds().size();
        if (body.length > room) {
            body = cfg.keepEnd() ? Arrays.copyOfRange(body, body.length - room, body.length)
                    : Arrays.copyOf(body, room);
        }
        long[] ids = new long[cfg.prefixIds().size() + body.length + cfg.suffixIds().size()];
        int k = 0;
        for (long id : cfg.prefixIds()) {
            ids[k++] = id;
        }
        System.arraycopy(body, 0, ids, k, body.length);
        k += body.length;
        for (long id : cfg.suffixIds()) {
            ids[k++] = id;
        }
        return ids;
    }

    @Override
    public double[] score(List<Candidate> candidates) throws JudgeException {
        List<long[]> rows = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            long[] ids;
            try {
                ids = encode(c);
            } catch (RuntimeException e) {
                throw new JudgeException(i, c.prompt(), name() + ": tokenizing failed: " + e.getMessage(), e);
            }
            if (ids.length == 0) {
                throw new JudgeException(i, c.prompt(), name() + ": the text tokenized to no ids (empty "
                        + cfg.text().name().toLowerCase() + " and no prefix_ids/suffix_ids in judge.json)");
            }
            rows.add(ids);
        }
        double[] out = new double[rows.size()];
        for (int start = 0; start < rows.size(); start += cfg.batchSize()) {
            int end = Math.min(rows.size(), start + cfg.batchSize());
            try {
                double[] s = run(rows.subList(start, end));
                System.arraycopy(s, 0, out, start, s.length);
            } catch (RuntimeException e) {
                throw new JudgeException(end - start == 1 ? start : -1, end - start == 1
                        ? candidates.get(start).prompt() : null, name() + ": running the model on candidates "
                        + start + ".." + (end - 1) + " failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Runs one batch: right-padded ids and mask (B, T), the output (B, C), one score per row. */
    private double[] run(List<long[]> rows) {
        int b = rows.size();
        int t = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        Arrays.fill(ids, cfg.padId());
        for (int i = 0; i < b; i++) {
            long[] r = rows.get(i);
            System.arraycopy(r, 0, ids, i * t, r.length);
            Arrays.fill(mask, i * t, i * t + r.length, 1L);
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        try {
            in.put(cfg.inputIds(), Tensor.ofLongs(ids, b, t)); // (B, T)
            if (cfg.attentionMask() != null) {
                in.put(cfg.attentionMask(), Tensor.ofLongs(mask, b, t)); // (B, T)
            }
            if (cfg.tokenTypeIds() != null) {
                in.put(cfg.tokenTypeIds(), Tensor.ofLongs(new long[b * t], b, t)); // (B, T)
            }
            List<Tensor> outs = session.run(in, List.of(cfg.output()));
            try (Tensor logits = outs.get(0)) {
                return scores(logits.shape(), logits.toFloats(), b);
            }
        } finally {
            in.values().forEach(Tensor::close);
        }
    }

    private double[] scores(long[] shape, float[] z, int b) {
        boolean vector = shape.length == 1 && shape[0] == b;
        if (!vector && (shape.length != 2 || shape[0] != b)) {
            throw new IllegalStateException("output '" + cfg.output() + "': expected shape (" + b + ", C) or (" + b
                    + "), found " + Arrays.toString(shape));
        }
        int c = vector ? 1 : (int) shape[1];
        if (cfg.score() == JudgeConfig.ScoreKind.LOGIT && c != 1) {
            throw new IllegalStateException("output '" + cfg.output() + "': score logit expects one value per row, "
                    + "found shape " + Arrays.toString(shape) + " (use logit_margin or log_prob with positive_index)");
        }
        if (cfg.score() != JudgeConfig.ScoreKind.LOGIT && (c < 2 || cfg.positiveIndex() >= c)) {
            throw new IllegalStateException("output '" + cfg.output() + "': positive_index " + cfg.positiveIndex()
                    + " needs at least 2 labels and index < C, found shape " + Arrays.toString(shape));
        }
        double[] s = new double[b];
        for (int i = 0; i < b; i++) {
            s[i] = cfg.score().of(z, i * c, c, cfg.positiveIndex());
        }
        return s;
    }

    @Override
    public String name() {
        return "onnx:" + dir;
    }

    /** Releases the session, the environment and the tokenizer. */
    @Override
    public void close() {
        try {
            session.close();
            env.close();
        } finally {
            tokenizer.close();
        }
    }
}
