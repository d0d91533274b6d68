package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.TRAINING;
import static io.dpo4j.runtime.Ort.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtSessionOptions;
import org.bytedeco.onnxruntime.OrtTrainingSession;

/**
 * An ORT on-device training session over a checkpoint and the training / eval / optimizer graphs (see
 * tools/CONTRACT.md). Owns its checkpoint state; {@link #close()} releases the session and then the state.
 *
 * <p>Gradients accumulate across {@link #trainStep} calls until {@link #lazyResetGrad()}; {@link #optimizerStep()}
 * applies the accumulated gradients. Not thread-safe.
 */
public final class TrainingSession implements AutoCloseable {
    private OrtTrainingSession session;
    private final CheckpointState state;
    private final List<String> trainingInputs;
    private final List<String> trainingOutputs;
    private final List<String> evalInputs;
    private final List<String> evalOutputs;
    private final double checkpointSeconds; // LoadCheckpoint
    private final double createSeconds; // CreateTrainingSession: graphs, gradient and optimizer-state buffers

    private TrainingSession(OrtTrainingSession session, CheckpointState state, boolean hasEval,
            double checkpointSeconds, double createSeconds) {
        this.checkpointSeconds = checkpointSeconds;
        this.createSeconds = createSeconds;
        this.session = session;
        this.state = state;
        this.trainingInputs = Ort.names(Ort.size(n -> TRAINING.TrainingSessionGetTrainingModelInputCount(session, n),
                "counting training inputs"), (i, out) -> TRAINING.TrainingSessionGetTrainingModelInputName(session, i,
                Ort.ALLOCATOR, out), "reading training input name");
        this.trainingOutputs = Ort.names(Ort.size(n -> TRAINING.TrainingSessionGetTrainingModelOutputCount(session, n),
                "counting training outputs"), (i, out) -> TRAINING.TrainingSessionGetTrainingModelOutputName(session, i,
                Ort.ALLOCATOR, out), "reading training output name");
        this.evalInputs = !hasEval ? List.of() : Ort.names(Ort.size(n ->
                TRAINING.TrainingSessionGetEvalModelInputCount(session, n), "counting eval inputs"), (i, out) ->
                TRAINING.TrainingSessionGetEvalModelInputName(session, i, Ort.ALLOCATOR, out), "reading eval input name");
        this.evalOutputs = !hasEval ? List.of() : Ort.names(Ort.size(n ->
                TRAINING.TrainingSessionGetEvalModelOutputCount(session, n), "counting eval outputs"), (i, out) ->
                TRAINING.TrainingSessionGetEvalModelOutputName(session, i, Ort.ALLOCATOR, out),
                "reading eval output name");
    }

    /**
     * Loads {@code checkpoint} and creates the session.
     *
     * @param evalModel      may be null (then {@link #evalStep} is unavailable)
     * @param optimizerModel may be null for a session that only evaluates, reads or exports parameters: ORT then never
     *                       allocates the optimizer state (two AdamW moments, 8 bytes per trainable value), and
     *                       {@link #optimizerStep} and the learning-rate calls fail with ORT's reason
     * @throws OrtRuntimeException naming the file and ORT's reason
     */
    public static TrainingSession open(OrtEnvironment env, SessionConfig cfg, Path checkpoint, Path trainingModel,
            Path evalModel, Path optimizerModel) {
        String action = "creating training session from " + trainingModel;
        RuntimeFiles.requireFile(trainingModel, action);
        if (optimizerModel != null) {
            RuntimeFiles.requireFile(optimizerModel, action + " (optimizer model)");
        }
        if (evalModel != null) {
            RuntimeFiles.requireFile(evalModel, action + " (eval model)");
        }
        check(TRAINING.SetSeed(cfg.seed()), "setting ORT seed " + cfg.seed());
        long start = System.nanoTime();
        CheckpointState state = CheckpointState.load(checkpoint);
        long loaded = System.nanoTime();
        OrtSessionOptions so = null;
        OrtTrainingSession session = new OrtTrainingSession();
        try (BytePointer train = new BytePointer(trainingModel.toString());
                BytePointer eval = evalModel == null ? null : new BytePointer(evalModel.toString());
                BytePointer optim = optimizerModel == null ? null : new BytePointer(optimizerModel.toString())) {
            so = SessionOptionsFactory.create(cfg);
            check(TRAINING.CreateTrainingSession(env.handle(), so, state.handle(), train, eval, optim, session),
                    action + " with checkpoint " + checkpoint + " on " + cfg.device());
            return new TrainingSession(session, state, evalModel != null, (loaded - start) / 1e9,
                    (System.nanoTime() - loaded) / 1e9);
        } catch (RuntimeException e) {
            if (!session.isNull()) {
                TRAINING.ReleaseTrainingSession(session);
            }
            state.close();
            throw e;
        } finally {
            SessionOptionsFactory.release(so);
        }
    }

    /**
     * Where {@link #open} spent its time, e.g. "checkpoint read 6.5 s, session created 25.0 s": ORT's
     * {@code LoadCheckpoint}, then {@code CreateTrainingSession} (graphs, and the gradient and optimizer-state buffers
     * allocated and zero-filled).
     */
    public String openTimings() {
        return String.format(java.util.Locale.ROOT, "checkpoint read %.1f s, session created %.1f s", checkpointSeconds,
                createSeconds);
    }

    /** User inputs of the training graph, in the order {@link #trainStep} takes them. */
    public List<String> trainingInputNames() {
        return trainingInputs;
    }

    /** Outputs {@link #trainStep} returns (loss first; gradient-accumulation outputs are hidden by ORT). */
    public List<String> trainingOutputNames() {
        return trainingOutputs;
    }

    /** User inputs of the eval graph; empty when the session has no eval model. */
    public List<String> evalInputNames() {
        return evalInputs;
    }

    /** Outputs of the eval graph; empty when the session has no eval model. */
    public List<String> evalOutputNames() {
        return evalOutputs;
    }

    /** Forward + backward; accumulates gradients. Returns all training outputs, which the caller closes. */
    public List<Tensor> trainStep(List<Tensor> inputs) {
        return step(true, inputs, null);
    }

    /**
     * As {@link #trainStep(List)}, writing into caller-allocated CPU {@code outputs} (one per output name, exact
     * shapes). Use this on CUDA, where ORT would otherwise leave outputs in device memory.
     */
    public void trainStep(List<Tensor> inputs, List<Tensor> outputs) {
        step(true, inputs, outputs);
    }

    /** Forward only, with the current parameters. Returns all eval outputs, which the caller closes. */
    public List<Tensor> evalStep(List<Tensor> inputs) {
        return step(false, inputs, null);
    }

    /** As {@link #evalStep(List)}, into caller-allocated CPU outputs. */
    public void evalStep(List<Tensor> inputs, List<Tensor> outputs) {
        step(false, inputs, outputs);
    }

    private List<Tensor> step(boolean train, List<Tensor> inputs, List<Tensor> preallocated) {
        String what = train ? "trainStep" : "evalStep";
        List<String> inNames = train ? trainingInputs : evalInputs;
        List<String> outNames = train ? trainingOutputs : evalOutputs;
        if (!train && inNames.isEmpty()) {
            throw new IllegalStateException("evalStep: expected a session opened with an eval model, found none");
        }
        requireCount(what + " inputs", inNames, inputs.size());
        if (preallocated != null) {
            requireCount(what + " outputs", outNames, preallocated.size());
        }
        try (PointerPointer<Pointer> in = new PointerPointer<>(Math.max(1, inputs.size()));
                PointerPointer<Pointer> out = Ort.nullSlots(outNames.size())) {
            for (int i = 0; i < inputs.size(); i++) {
                in.put(i, inputs.get(i).value());
            }
            if (preallocated != null) {
                for (int i = 0; i < preallocated.size(); i++) {
                    out.put(i, preallocated.get(i).value());
                }
            }
            String action = what + " with inputs " + inNames;
            check(train ? TRAINING.TrainStep(handle(), null, inputs.size(), in, outNames.size(), out)
                    : TRAINING.EvalStep(handle(), null, inputs.size(), in, outNames.size(), out), action);
            return preallocated != null ? preallocated : adoptOutputs(out, outNames, what);
        }
    }

    private static List<Tensor> adoptOutputs(PointerPointer<Pointer> out, List<String> names, String what) {
        List<Tensor> result = new ArrayList<>(names.size());
        try {
            for (int i = 0; i < names.size(); i++) {
                result.add(Tensor.adopt(new org.bytedeco.onnxruntime.OrtValue(out.get(i)),
                        what + " output '" + names.get(i) + "'"));
            }
        } catch (RuntimeException e) {
            result.forEach(Tensor::close);
            for (int i = result.size() + 1; i < names.size(); i++) {
                Ort.API.ReleaseValue(new org.bytedeco.onnxruntime.OrtValue(out.get(i)));
            }
            throw e;
        }
        return List.copyOf(result);
    }

    private static void requireCount(String what, List<String> names, int found) {
        if (names.size() != found) {
            throw new IllegalArgumentException(what + ": expected " + names.size() + " " + names + ", found " + found);
        }
    }

    /** Zeroes the accumulated gradients lazily (at the start of the next {@link #trainStep}). */
    public void lazyResetGrad() {
        check(TRAINING.LazyResetGrad(handle()), "resetting gradients");
    }

    /** Applies the accumulated gradients with the optimizer graph and advances the optimizer step. */
    public void optimizerStep() {
        check(TRAINING.OptimizerStep(handle(), null), "running optimizer step");
    }

    /** Sets the learning rate used by the next {@link #optimizerStep()} (ORT's default is 0.001). */
    public void setLearningRate(float lr) {
        check(TRAINING.SetLearningRate(handle(), lr), "setting learning rate " + lr);
    }

    /** The current learning rate. */
    public float learningRate() {
        float[] lr = new float[1];
        check(TRAINING.GetLearningRate(handle(), lr), "reading learning rate");
        return lr[0];
    }

    /**
     * ORT's linear scheduler: warmup from 0 to {@code initialLr} over {@code warmupSteps}, then linear decay to 0 at
     * {@code totalSteps}. It counts optimizer steps and applies only on {@link #schedulerStep()}.
     */
    public void registerLinearScheduler(long warmupSteps, long totalSteps, float initialLr) {
        check(TRAINING.RegisterLinearLRScheduler(handle(), warmupSteps, totalSteps, initialLr),
                "registering linear LR scheduler (warmup " + warmupSteps + ", total " + totalSteps + ", lr "
                + initialLr + ")");
    }

    /** Updates the learning rate from the registered scheduler. */
    public void schedulerStep() {
        check(TRAINING.SchedulerStep(handle()), "stepping LR scheduler");
    }

    /** Writes the checkpoint (parameters, properties and, optionally, optimizer moments and step) to {@code path}. */
    public void saveCheckpoint(Path path, boolean includeOptimizerState) {
        handle();
        state.save(path, includeOptimizerState);
    }

    /** Number of float parameters (all, or only trainable ones). */
    public long parameterCount(boolean trainableOnly) {
        return Ort.size(n -> TRAINING.GetParametersSize(handle(), n, trainableOnly), "counting parameters");
    }

    /** All parameters flattened into one array, in ORT's parameter order. */
    public float[] copyParametersToArray(boolean trainableOnly) {
        long n = parameterCount(trainableOnly);
        try (Tensor buffer = Tensor.zerosFloat(n)) {  // (P)
            check(TRAINING.CopyParametersToBuffer(handle(), buffer.value(), trainableOnly), "copying parameters out");
            return buffer.toFloats();
        }
    }

    /** Overwrites the parameters from a flat array laid out as {@link #copyParametersToArray}. */
    public void copyParametersFromArray(float[] values, boolean trainableOnly) {
        long n = parameterCount(trainableOnly);
        if (values.length != n) {
            throw new IllegalArgumentException("copyParametersFromArray(trainableOnly=" + trainableOnly
                    + "): expected " + n + " values, found " + values.length);
        }
        try (Tensor buffer = Tensor.ofFloats(values, n)) {  // (P)
            check(TRAINING.CopyBufferToParameters(handle(), buffer.value(), trainableOnly), "copying parameters in");
        }
    }

    /** The current values of parameter {@code name}, flattened row-major. */
    public float[] parameter(String name) {
        handle();
        return state.parameter(name);
    }

    /**
     * Decoupled weight decay as PyTorch's AdamW applies it before its update, {@code p ← p · (1 − lr·wd)} in float32,
     * on the named parameters only (ORT's optimizer graph has one parameter group, so HF's no-decay group is realised
     * by leaving the graph's decay at 0 and decaying the other group here, before {@link #optimizerStep()}).
     */
    public void decayParameters(java.util.Collection<String> names, float factor) {
        handle();
        for (String name : names) {
            state.scaleParameter(name, factor);
        }
    }

    /**
     * Overwrites parameter {@code name} with {@code values}, row-major in the parameter's shape (e.g. adapters imported
     * from a PEFT directory before training).
     *
     * @throws IllegalArgumentException when the number of values differs from the parameter's size
     */
    public void setParameter(String name, float[] values) {
        handle();
        long n = 1;
        for (long d : state.parameterShape(name)) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("parameter '" + name + "': expected " + n + " values, found "
                    + values.length);
        }
        state.updateParameter(name, values);
    }

    /** The shape of parameter {@code name}. */
    public long[] parameterShape(String name) {
        handle();
        return state.parameterShape(name);
    }

    /** Sets a string user property of the checkpoint (saved with it). */
    public void setProperty(String name, String value) {
        handle();
        state.setProperty(name, value);
    }

    /** A user property of the checkpoint as text. */
    public String property(String name) {
        handle();
        return state.property(name);
    }

    /**
     * Writes an inference graph (the eval graph with the current parameters, cut at {@code graphOutputNames}) to
     * {@code out}. Needs an eval model. ORT rewrites the eval graph: do not call {@link #evalStep} afterwards.
     */
    public void exportForInference(Path out, List<String> graphOutputNames) {
        if (evalInputs.isEmpty()) {
            throw new IllegalStateException("exportForInference: expected a session opened with an eval model, "
                    + "found none");
        }
        try (BytePointer path = new BytePointer(out.toString());
                PointerPointer<?> names = new PointerPointer<>(graphOutputNames.toArray(String[]::new))) {
            check(TRAINING.ExportModelForInferencing(handle(), path, graphOutputNames.size(), names),
                    "exporting inference model " + out + " with outputs " + graphOutputNames);
        }
    }

    private OrtTrainingSession handle() {
        if (session == null) {
            throw new IllegalStateException("training session is closed");
        }
        return session;
    }

    /** Releases the session, then its checkpoint state; later calls do nothing. */
    @Override
    public void close() {
        if (session != null) {
            TRAINING.ReleaseTrainingSession(session);
            session = null;
            state.close();
        }
    }
}
