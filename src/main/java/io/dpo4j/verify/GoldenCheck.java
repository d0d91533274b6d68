package io.dpo4j.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.Manifest;
import io.dpo4j.data.Batch;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.runtime.InferenceSession;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.train.CheckpointStore;
import io.dpo4j.train.GraphFeeds;
import io.dpo4j.train.StepOutputs;
import io.dpo4j.train.WeightDecay;
import io.dpo4j.util.Files2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parity of the Java training path with the PyTorch goldens of tools/parity/golden.py
 * ({@code src/test/resources/golden/<model>.json} + {@code <model>-params-<run>.bin}): per-sequence log-probs and
 * every loss variant through the eval graph, log-probs through reference_model.onnx, and the losses and every
 * parameter over three AdamW steps through the training and optimizer graphs, for each golden training run
 * (reference offset from the policy; policy == reference, z = 0 at step 1; weight decay with HF's two groups).
 */
public final class GoldenCheck {
    private final JsonNode golden;
    private final Path goldenDir;
    private final ArtifactSet art;
    private final SessionConfig sc;

    private GoldenCheck(JsonNode golden, Path goldenDir, ArtifactSet art, SessionConfig sc) {
        this.golden = golden;
        this.goldenDir = goldenDir;
        this.art = art;
        this.sc = sc;
    }

    /**
     * Runs every comparison.
     *
     * @param goldenJson golden file of one model
     * @param artifacts  the model's artifact directory
     * @param sc         device and threads
     * @param relTol     relative tolerance of log-probs and losses (1e-5 on CPU, 1e-4 on GPU)
     * @param paramTol   absolute tolerance of parameters after the training steps (1e-4)
     */
    public static List<CheckResult> run(Path goldenJson, Path artifacts, SessionConfig sc, double relTol, double paramTol) {
        JsonNode g;
        try {
            g = Files2.JSON.readTree(goldenJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("reading golden " + goldenJson, e);
        }
        GoldenCheck c = new GoldenCheck(g, goldenJson.toAbsolutePath().getParent(), ArtifactSet.load(artifacts), sc);
        List<CheckResult> out = new ArrayList<>();
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-verify")) {
            c.evalVariants(env, relTol, out);
            c.referenceModel(env, relTol, out);
            c.training(env, relTol, paramTol, out);
        }
        return out;
    }

    private String model() {
        return golden.path("model").asText();
    }

    private Batch batch() {
        int b = golden.get("pairs").asInt();
        JsonNode ids = golden.get("input_ids");
        int t = ids.get(0).size();
        return new Batch(b, t, longs(ids), longs(golden.get("attention_mask")), longs(golden.get("completion_mask")));
    }

    private void evalVariants(OrtEnvironment env, double tol, List<CheckResult> out) {
        Batch batch = batch();
        try (TrainingSession s = open(env)) {
            boolean first = true;
            for (JsonNode v : golden.get("variants")) {
                LossInputs in = lossInputs(v.get("loss_inputs"), golden.get("ref_logps"));
                StepOutputs o = step(s, batch, in, false);
                String tag = model() + " eval [" + v.get("name").asText() + "]";
                if (first) {
                    out.add(Tolerance.relative(model() + " eval logps", Tolerance.widen(o.logps()),
                            doubles(golden.get("logps")), null, tol));
                    out.add(Tolerance.absolute(model() + " eval token_counts", Tolerance.widen(o.tokenCounts()),
                            doubles(golden.get("token_counts")), 0.0));
                    out.add(Tolerance.relative(model() + " eval logits_sum (rel. to sum|logits|)",
                            Tolerance.widen(o.logitsSum()), doubles(golden.get("logits_sum")),
                            doubles(golden.get("logits_abs_sum")), tol));
                    first = false;
                }
                out.add(Tolerance.relative(tag + " loss", new double[] {o.loss()}, new double[] {v.get("loss").asDouble()},
                        null, tol));
                out.add(Tolerance.relative(tag + " pair_losses", Tolerance.widen(o.pairLosses()),
                        doubles(v.get("pair_losses")), null, tol));
            }
        }
    }

    private void referenceModel(OrtEnvironment env, double tol, List<CheckResult> out) {
        Map<String, Tensor> feeds = GraphFeeds.forReference(batch());
        try (InferenceSession rs = InferenceSession.open(env, sc, art.file("reference_model.onnx"))) {
            List<Tensor> o = rs.run(feeds, List.of("logps"));
            try {
                out.add(Tolerance.relative(model() + " reference_model logps", Tolerance.widen(o.get(0).toFloats()),
                        doubles(golden.get("logps")), null, tol));
            } finally {
                o.forEach(Tensor::close);
            }
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }

    /**
     * Every golden training run: losses per step and all parameters after the steps. Weight decay is applied by
     * {@link WeightDecay} to the decay group of the artifacts' manifest, as the trainer does.
     */
    private void training(OrtEnvironment env, double tol, double paramTol, List<CheckResult> out) {
        Batch batch = batch();
        for (JsonNode tr : golden.get("trainings")) {
            String run = model() + " [" + tr.get("name").asText() + "]";
            LossInputs in = lossInputs(tr.get("loss_inputs"), tr.get("ref_logps"));
            WeightDecay decay = weightDecay(tr.get("optimizer").get("weight_decay").asDouble());
            double lr = tr.get("learning_rate").asDouble();
            int steps = tr.get("steps").asInt();
            double[] losses = new double[steps];
            try (TrainingSession s = open(env)) {
                s.setLearningRate((float) lr);
                for (int k = 0; k < steps; k++) {
                    losses[k] = step(s, batch, in, true).loss();
                    decay.apply(s, lr);
                    s.optimizerStep();
                    s.lazyResetGrad();
                }
                out.add(Tolerance.relative(run + " train loss per step", losses, doubles(tr.get("losses")), null, tol));
                out.add(parameters(s, run, steps, tr.get("params"), paramTol));
            }
        }
    }

    private WeightDecay weightDecay(double wd) {
        if (wd == 0) {
            return new WeightDecay(0, List.of());
        }
        Manifest.Optimizer opt = art.manifest().optimizer();
        if (!opt.runtimeDecay()) {
            throw new IllegalStateException(art.dir() + "/manifest.json: optimizer: expected runtime weight decay "
                    + "(graph_weight_decay 0, decay_rule set) for the golden's weight-decay run, found graph_weight_decay "
                    + opt.graphWeightDecay() + ", decay_rule " + opt.decayRule());
        }
        return new WeightDecay(wd, opt.decayParameters());
    }

    private CheckResult parameters(TrainingSession s, String run, int steps, JsonNode params, double tol) {
        FloatBuffer all = readFloats(goldenDir.resolve(params.get("file").asText()));
        double worst = 0;
        String where = "";
        long count = 0;
        for (JsonNode e : params.get("index")) {
            String name = e.get("name").asText();
            float[] found = s.parameter(name);
            int offset = e.get("offset").asInt();
            for (int i = 0; i < found.length; i++) {
                double err = Math.abs(found[i] - all.get(offset + i));
                if (err > worst || Double.isNaN(err)) {
                    worst = err;
                    where = name + "[" + i + "]: found " + found[i] + ", expected " + all.get(offset + i);
                }
            }
            count += found.length;
        }
        return new CheckResult(run + " parameters after " + steps + " AdamW steps", worst <= tol && count > 0,
                String.format("%d values, max absolute error %.3g (tolerance %.0e) at %s", count, worst, tol, where));
    }

    private TrainingSession open(OrtEnvironment env) {
        return CheckpointStore.openSession(env, sc, art, art.file("checkpoint"));
    }

    private static StepOutputs step(TrainingSession s, Batch batch, LossInputs in, boolean train) {
        List<Tensor> feeds = GraphFeeds.forTraining(train ? s.trainingInputNames() : s.evalInputNames(), batch, in);
        try {
            return StepOutputs.run(s, feeds, batch.pairs(), train);
        } finally {
            feeds.forEach(Tensor::close);
        }
    }

    /**
     * @return loss inputs exactly as the golden fed them (any loss_mix, including mixtures); goldens written before
     *     iLR-DPO's length term have no {@code length_target} / {@code length_lambda}, which were then 0
     */
    static LossInputs lossInputs(JsonNode li, JsonNode refLogps) {
        return new LossInputs(floats(refLogps), floats(li.get("pref_prob")), floats(li.get("pair_weight")),
                floats(li.get("loss_mix")), (float) li.get("beta").asDouble(), (float) li.get("label_smoothing").asDouble(),
                (float) li.get("length_alpha").asDouble(), (float) li.get("simpo_gamma").asDouble(),
                (float) li.get("rpo_alpha").asDouble(), (float) li.path("length_target").asDouble(0.0),
                (float) li.path("length_lambda").asDouble(0.0));
    }

    private static FloatBuffer readFloats(Path file) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException("reading golden parameters " + file, e);
        }
    }

    private static long[] longs(JsonNode rows) {
        List<Long> v = new ArrayList<>();
        rows.forEach(r -> r.forEach(x -> v.add(x.asLong())));
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }
}
