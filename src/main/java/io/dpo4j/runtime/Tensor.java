package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.API;
import static io.dpo4j.runtime.Ort.check;

import java.util.Arrays;
import org.bytedeco.javacpp.BooleanPointer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtMemoryInfo;
import org.bytedeco.onnxruntime.OrtTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.OrtValue;

/**
 * A dense CPU-readable tensor: an {@code OrtValue} plus, for tensors created from Java arrays, the native buffer
 * the value points into (kept alive until {@link #close()}). Tensors returned by sessions own their ORT-allocated
 * {@code OrtValue}; the caller closes them. {@link #close()} is idempotent.
 */
public final class Tensor implements AutoCloseable {
    /** ORT's {@code OrtMemoryInfoDeviceType} for the CPU. */
    private static final int DEVICE_TYPE_CPU = 0;

    private OrtValue value;
    private Pointer buffer;
    private final long[] shape;
    private final ElementType type;

    private Tensor(OrtValue value, Pointer buffer, long[] shape, ElementType type) {
        this.value = value;
        this.buffer = buffer;
        this.shape = shape;
        this.type = type;
    }

    /** A float tensor over a native copy of {@code data}; {@code shape}'s element count must equal data.length. */
    public static Tensor ofFloats(float[] data, long... shape) {
        checkCount(data.length, shape);
        FloatPointer buf = new FloatPointer(Math.max(1, data.length));
        buf.put(data);
        return create(buf, shape, ElementType.FLOAT);
    }

    /** An int64 tensor over a native copy of {@code data}. */
    public static Tensor ofLongs(long[] data, long... shape) {
        checkCount(data.length, shape);
        LongPointer buf = new LongPointer(Math.max(1, data.length));
        buf.put(data);
        return create(buf, shape, ElementType.INT64);
    }

    /** A bool tensor over a native copy of {@code data} (one byte per element). */
    public static Tensor ofBooleans(boolean[] data, long... shape) {
        checkCount(data.length, shape);
        BooleanPointer buf = new BooleanPointer(Math.max(1, data.length));
        for (int i = 0; i < data.length; i++) {
            buf.put(i, data[i]);
        }
        return create(buf, shape, ElementType.BOOL);
    }

    /** A float tensor of shape (1) holding {@code v}. */
    public static Tensor scalarFloat(float v) {
        return ofFloats(new float[] {v}, 1);
    }

    /** A zero-filled float tensor, e.g. a preallocated output. */
    public static Tensor zerosFloat(long... shape) {
        return ofFloats(new float[Math.toIntExact(elementCount(shape))], shape);
    }

    private static Tensor create(Pointer buf, long[] shape, ElementType type) {
        long[] dims = shape.clone();
        OrtValue value = new OrtValue();
        try {
            check(API.CreateTensorWithDataAsOrtValue(Ort.CPU_MEMORY, buf, elementCount(dims) * type.bytes(), dims,
                    dims.length, type.onnxCode(), value), "creating " + type + " tensor of shape " + Arrays.toString(dims));
        } catch (RuntimeException e) {
            buf.close();
            throw e;
        }
        return new Tensor(value, buf, dims, type);
    }

    /** Takes ownership of an ORT-allocated value (a session output). */
    static Tensor adopt(OrtValue value, String what) {
        OrtTensorTypeAndShapeInfo info = new OrtTensorTypeAndShapeInfo();
        try {
            check(API.GetTensorTypeAndShape(value, info), "reading type and shape of " + what);
            try (IntPointer type = new IntPointer(1)) {
                check(API.GetTensorElementType(info, type), "reading element type of " + what);
                long rank = Ort.size(n -> API.GetDimensionsCount(info, n), "reading rank of " + what);
                long[] dims = new long[(int) rank];
                check(API.GetDimensions(info, dims, rank), "reading dimensions of " + what);
                return new Tensor(value, null, dims, ElementType.fromOnnx(type.get(), what));
            }
        } catch (RuntimeException e) {
            API.ReleaseValue(value);
            throw e;
        } finally {
            if (!info.isNull()) {
                API.ReleaseTensorTypeAndShapeInfo(info);
            }
        }
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape)
                        + ": expected non-negative dimensions, found " + d);
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void checkCount(int length, long[] shape) {
        long n = elementCount(shape);
        if (n != length) {
            throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + ": expected " + n
                    + " elements, found " + length + " in the data array");
        }
    }

    /** The shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        return elementCount(shape);
    }

    /** The element type. */
    public ElementType type() {
        return type;
    }

    /** All elements of a FLOAT tensor, row-major. */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(size())];
        new FloatPointer(data(ElementType.FLOAT)).capacity(out.length).get(out);
        return out;
    }

    /** All elements of an INT64 tensor, row-major. */
    public long[] toLongs() {
        long[] out = new long[Math.toIntExact(size())];
        new LongPointer(data(ElementType.INT64)).capacity(out.length).get(out);
        return out;
    }

    /** All elements of a BOOL tensor, row-major. */
    public boolean[] toBooleans() {
        boolean[] out = new boolean[Math.toIntExact(size())];
        BytePointer bytes = new BytePointer(data(ElementType.BOOL)).capacity(out.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i) != 0;
        }
        return out;
    }

    /** The single element of a FLOAT tensor with exactly one element (any rank). */
    public float floatValue() {
        if (size() != 1) {
            throw new IllegalStateException("floatValue: expected a tensor with 1 element, found shape "
                    + Arrays.toString(shape));
        }
        return toFloats()[0];
    }

    /** The native value, for sessions in this package. */
    OrtValue value() {
        if (value == null) {
            throw new IllegalStateException("tensor " + type + Arrays.toString(shape) + " is closed");
        }
        return value;
    }

    private Pointer data(ElementType expected) {
        if (type != expected) {
            throw new IllegalStateException("reading tensor " + Arrays.toString(shape) + ": expected element type "
                    + expected + ", found " + type);
        }
        requireCpu();
        try (PointerPointer<Pointer> out = Ort.nullSlots(1)) {
            check(API.GetTensorMutableData(value(), out), "reading data of tensor " + Arrays.toString(shape));
            return out.get(0);
        }
    }

    private void requireCpu() {
        if (buffer != null) {
            return;
        }
        OrtMemoryInfo info = new OrtMemoryInfo();  // owned by the value, not released here
        check(API.GetTensorMemoryInfo(value(), info), "reading memory info of tensor " + Arrays.toString(shape));
        try (IntPointer deviceType = new IntPointer(1)) {
            API.MemoryInfoGetDeviceType().call(info, deviceType);
            if (deviceType.get() != DEVICE_TYPE_CPU) {
                throw new IllegalStateException("reading tensor " + Arrays.toString(shape)
                        + ": expected CPU memory, found device memory (type " + deviceType.get()
                        + "); pass preallocated CPU output tensors to the session call instead");
            }
        }
    }

    /** Releases the OrtValue and then the native buffer behind it; later calls do nothing. */
    @Override
    public void close() {
        if (value != null) {
            API.ReleaseValue(value);
            value = null;
        }
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }

    @Override
    public String toString() {
        return "Tensor[" + type + " " + Arrays.toString(shape) + (value == null ? ", closed]" : "]");
    }
}
