package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.API;
import static io.dpo4j.runtime.Ort.TRAINING;
import static io.dpo4j.runtime.Ort.check;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtFloatProperty;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtIntProperty;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtStringProperty;

import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtCheckpointState;
import org.bytedeco.onnxruntime.OrtTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.OrtValue;

/** An ORT checkpoint state: parameters, optimizer state and user properties. Owned by one {@link TrainingSession}. */
final class CheckpointState implements AutoCloseable {
    private OrtCheckpointState state;
    private final Path source;

    private CheckpointState(OrtCheckpointState state, Path source) {
        this.state = state;
        this.source = source;
    }

    static CheckpointState load(Path path) {
        String action = "loading checkpoint " + path;
        RuntimeFiles.requireFile(path, action);
        OrtCheckpointState state = new OrtCheckpointState();
        try (BytePointer p = new BytePointer(path.toString())) {
            check(TRAINING.LoadCheckpoint(p, state), action);
        }
        return new CheckpointState(state, path);
    }

    OrtCheckpointState handle() {
        if (state == null) {
            throw new IllegalStateException("checkpoint state loaded from " + source + " is closed");
        }
        return state;
    }

    void save(Path path, boolean includeOptimizerState) {
        try (BytePointer p = new BytePointer(path.toString())) {
            check(TRAINING.SaveCheckpoint(handle(), p, includeOptimizerState), "saving checkpoint " + path);
        }
    }

    float[] parameter(String name) {
        OrtValue value = new OrtValue();
        check(TRAINING.GetParameter(handle(), name, Ort.ALLOCATOR, value), "reading parameter '" + name + "'");
        try (Tensor t = Tensor.adopt(value, "parameter '" + name + "'")) {
            return t.toFloats();
        }
    }

    /** Multiplies parameter {@code name} by {@code factor} in float32 (read, scale, write back). */
    void scaleParameter(String name, float factor) {
        float[] values = parameter(name);
        for (int i = 0; i < values.length; i++) {
            values[i] *= factor;
        }
        updateParameter(name, values);
    }

    /** Overwrites parameter {@code name} with {@code values} (row-major, the parameter's shape). */
    void updateParameter(String name, float[] values) {
        try (Tensor t = Tensor.ofFloats(values, parameterShape(name))) {
            check(TRAINING.UpdateParameter(handle(), name, t.value()), "updating parameter '" + name + "'");
        }
    }

    long[] parameterShape(String name) {
        String action = "reading shape of parameter '" + name + "'";
        OrtTensorTypeAndShapeInfo info = new OrtTensorTypeAndShapeInfo();
        check(TRAINING.GetParameterTypeAndShape(handle(), name, info), action);
        try {
            long rank = Ort.size(n -> API.GetDimensionsCount(info, n), action);
            long[] dims = new long[(int) rank];
            check(API.GetDimensions(info, dims, rank), action);
            return dims;
        } finally {
            API.ReleaseTensorTypeAndShapeInfo(info);
        }
    }

    void setProperty(String name, String value) {
        try (BytePointer n = new BytePointer(name); BytePointer v = new BytePointer(value)) {
            check(TRAINING.AddProperty(handle(), n, OrtStringProperty, v), "setting checkpoint property '" + name + "'");
        }
    }

    /** The property as text: string properties verbatim, int and float properties (written by other tools) printed. */
    String property(String name) {
        String action = "reading checkpoint property '" + name + "'";
        try (BytePointer n = new BytePointer(name); IntPointer type = new IntPointer(1);
                PointerPointer<Pointer> out = Ort.nullSlots(1)) {
            check(TRAINING.GetProperty(handle(), n, Ort.ALLOCATOR, type, out), action);
            Pointer p = out.get(0);
            try {
                return switch (type.get()) {
                    case OrtStringProperty -> new BytePointer(p).getString();
                    case OrtIntProperty -> Long.toString(new LongPointer(p).get());
                    case OrtFloatProperty -> Float.toString(new FloatPointer(p).get());
                    default -> throw new IllegalStateException(action + ": expected property type int, float or "
                            + "string, found type code " + type.get());
                };
            } finally {
                Ort.free(p, action + " (freeing the value)");
            }
        }
    }

    @Override
    public void close() {
        if (state != null) {
            TRAINING.ReleaseCheckpointState(state);
            state = null;
        }
    }
}
