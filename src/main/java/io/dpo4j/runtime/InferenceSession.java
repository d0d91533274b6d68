package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.API;
import static io.dpo4j.runtime.Ort.TRAINING;
import static io.dpo4j.runtime.Ort.check;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_DISABLE_ALL;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtSession;
import org.bytedeco.onnxruntime.OrtSessionOptions;
import org.bytedeco.onnxruntime.OrtValue;

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
        validate(inputs, outputNames);
        List<String> inNames = new ArrayList<>(inputs.keySet());
        String action = "running " + model + " for outputs " + outputNames;
        try (PointerPointer<?> inNamePtrs = new PointerPointer<>(inNames.toArray(String[]::new));
                PointerPointer<?> outNamePtrs = new PointerPointer<>(outputNames.toArray(String[]::new));
                PointerPointer<Pointer> in = new PointerPointer<>(inNames.size());
                PointerPointer<Pointer> out = Ort.nullSlots(outputNames.size())) {
            for (int i = 0; i < inNames.size(); i++) {
                in.put(i, inputs.get(inNames.get(i)).value());
            }
            check(API.Run(handle(), null, inNamePtrs, in, inNames.size(), outNamePtrs, outputNames.size(), out),
                    action);
            List<Tensor> result = new ArrayList<>(outputNames.size());
            try {
                for (int i = 0; i < outputNames.size(); i++) {
                    result.add(Tensor.adopt(new OrtValue(out.get(i)), "output '" + outputNames.get(i) + "'"));
                }
            } catch (RuntimeException e) {
                result.forEach(Tensor::close);
                for (int i = result.size() + 1; i < outputNames.size(); i++) {
                    API.ReleaseValue(new OrtValue(out.get(i)));
                }
                throw e;
            }
            return List.copyOf(result);
        }
    }

    private void validate(Map<String, Tensor> given, List<String> requested) {
        if (!given.keySet().equals(new java.util.HashSet<>(inputs))) {
            throw new IllegalArgumentException("run " + model + ": expected inputs " + inputs + ", found "
                    + given.keySet());
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

    private OrtSession handle() {
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
