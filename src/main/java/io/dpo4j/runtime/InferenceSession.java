package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.API;
import static io.dpo4j.runtime.Ort.TRAINING;
import static io.dpo4j.runtime.Ort.check;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_DISABLE_ALL;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnxruntime.OrtSession;
import org.bytedeco.onnxruntime.OrtSessionOptions;

/** An ORT inference session over one ONNX model file. Not thread-safe. */
public final class InferenceSession implements AutoCloseable {
    private OrtSession session;
    private final Path model;
    private final List<Tensor> overrides; // initializer values the session reads from; released after the session
    private final List<String> inputs;
    private final List<String> outputs;

    private InferenceSession(OrtSession session, Path model, List<Tensor> overrides) {
        this.session = session;
        this.model = model;
        this.overrides = overrides;
        this.inputs = Ort.names(Ort.size(n -> API.SessionGetInputCount(session, n), "counting inputs of " + model),
                (i, out) -> API.SessionGetInputName(session, i, Ort.ALLOCATOR, out), "reading input name of " + model);
        this.outputs = Ort.names(Ort.size(n -> API.SessionGetOutputCount(session, n), "counting outputs of " + model),
                (i, out) -> API.SessionGetOutputName(session, i, Ort.ALLOCATOR, out), "reading output name of "
                + model);
    }

    /**
     * Loads {@code model}.
     *
     * @throws OrtRuntimeException naming the file and ORT's reason
     */
    public static InferenceSession open(OrtEnvironment env, SessionConfig cfg, Path model) {
        return open(env, cfg, model, Map.of());
    }

    /**
     * Loads {@code model} with some initializers replaced (ORT's {@code AddInitializer}): e.g. a trained policy's
     * parameters on the artifacts' inference graphs. The session takes ownership of {@code overrides} (float32 tensors
     * of the initializers' shapes) and closes them with itself, also when opening fails. With overrides, graph
     * optimisations are off: ORT's constant folding (a transposed LM head, fused biases) reads the file's initializers,
     * not the replacements (measured: logits 9.2 away from the trained policy's at ORT's basic level, 0.0 with none).
     *
     * @throws OrtRuntimeException naming the file and ORT's reason (an unknown name or a wrong shape included)
     */
    public static InferenceSession open(OrtEnvironment env, SessionConfig cfg, Path model,
                                        Map<String, Tensor> overrides) {
        String action = "loading inference model " + model + " on " + cfg.device();
        List<Tensor> owned = new ArrayList<>(overrides.values());
        OrtSessionOptions so = null;
        OrtSession session = new OrtSession();
        try (BytePointer path = new BytePointer(model.toString())) {
            RuntimeFiles.requireFile(model, action);
            check(TRAINING.SetSeed(cfg.seed()), "setting ORT seed " + cfg.seed());
            so = SessionOptionsFactory.create(cfg);
            if (!overrides.isEmpty()) {
                check(API.SetSessionGraphOptimizationLevel(so, ORT_DISABLE_ALL), "turning graph optimisations off for "
                        + "replaced initializers of " + model);
            }
            for (Map.Entry<String, Tensor> e : overrides.entrySet()) {
                check(API.AddInitializer(so, e.getKey(), e.getValue().value()), "replacing initializer '"
                        + e.getKey() + "' of " + model);
            }
            check(API.CreateSession(env.handle(), path, so, session), action);
            return new InferenceSession(session, model, owned);
        } catch (RuntimeException e) {
            if (!session.isNull()) {
                API.ReleaseSession(session);
            }
            owned.forEach(Tensor::close);
            throw e;
        } finally {
            SessionOptionsFactory.release(so);
        }
    }

    /** The model's input names, in graph order. */
    public List<String> inputNames() {
        return inputs;
    }

    /** The model's output names, in graph order. */
    public List<String> outputNames() {
        return outputs;
    }

    /**
     * Runs the model. {@code inputs} must name every graph input; returns the requested outputs in the order of
     * {@code outputNames} (the caller closes them).
     */
    public List<Tensor> run(Map<String, Tensor> inputs, List<String> outputNames) {
        List<String> inNames = new ArrayList<>(inputs.keySet());
        try (PreparedRun call = prepare(inNames, outputNames)) {
            return call.run(inNames.stream().map(inputs::get).toList());
        }
    }

    /**
     * Prepares repeated runs with these input and output names (checked here, once): the fast path for loops such as
     * token-by-token generation. The returned run uses this session, so it must be closed before or with it.
     *
     * @param inputNames  every graph input, once each, in the order {@link PreparedRun#run} will take the values
     * @param outputNames requested outputs, in the order the runs return them
     * @throws IllegalArgumentException naming the expected and the found names when they do not fit the graph
     */
    public PreparedRun prepare(List<String> inputNames, List<String> outputNames) {
        if (inputNames.size() != inputs.size()) {
            throw new IllegalArgumentException("run " + model + ": expected inputs " + inputs + ", found " + inputNames);
        }
        validate(new HashSet<>(inputNames), outputNames);
        return new PreparedRun(this, inputNames, outputNames, "running " + model + " for outputs " + outputNames);
    }

    private void validate(Set<String> given, List<String> requested) {
        if (!given.equals(new HashSet<>(inputs))) {
            throw new IllegalArgumentException("run " + model + ": expected inputs " + inputs + ", found " + given);
        }
        if (requested.isEmpty()) {
            throw new IllegalArgumentException("run " + model + ": expected at least one of outputs " + outputs
                    + ", found none requested");
        }
        for (String name : requested) {
            if (!outputs.contains(name)) {
                throw new IllegalArgumentException("run " + model + ": expected an output among " + outputs
                        + ", found '" + name + "'");
            }
        }
    }

    /** The native session, for {@link PreparedRun}; fails once closed. */
    OrtSession handle() {
        if (session == null) {
            throw new IllegalStateException("inference session for " + model + " is closed");
        }
        return session;
    }

    /** Releases the session; later calls do nothing. */
    @Override
    public void close() {
        if (session != null) {
            API.ReleaseSession(session);
            session = null;
            overrides.forEach(Tensor::close);
        }
    }
}
