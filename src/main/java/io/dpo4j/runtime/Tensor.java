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
 * {@code OrtValue}; the caller closes them, and their shape and element type are read from ORT on first use only (a
 * KV cache fed back into the next run is never inspected). {@link #close()} is idempotent.
 */
public final class Tensor implements AutoCloseable {
    /** ORT's {@code OrtMemoryInfoDeviceType} for the CPU. */
    private static final int DEVICE_TYPE_CPU = 0;

    private OrtValue value;
    private Pointer buffer;
    private final String what; // names an adopted value in errors about its type and shape
    private long[] shape; // null until read from ORT (adopted values)
    private ElementType type; // null until read from ORT (adopted values)

    private Tensor(OrtValue value, Pointer buffer, long[] shape, ElementType type, String what) {
        this.value = value;
        this.buffer = buffer;
        this.shape = shape;
        this.type = type;
        this.what = what;
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
        return new Tensor(value, buf, dims, type, null);
    }

    /**
     * Takes ownership of an ORT-allocated value (a session output); its type and shape are read on first use, so
     * errors about them ({@code what} names the value) come from that use, and {@link #close()} still releases it.
     */
    static Tensor adopt(OrtValue value, String what) {
        return new Tensor(value, null, null, null, what);
    }

    /** Reads element type and shape of an adopted value from ORT (once). */
    private void readTypeAndShape() {
        if (shape != null) {
            return;
        }
        OrtTensorTypeAndShapeInfo info = new OrtTensorTypeAndShapeInfo();
        try {
            check(API.GetTensorTypeAndShape(value(), info), "reading type and shape of " + what);
            try (IntPointer code = new IntPointer(1)) {
                check(API.GetTensorElementType(info, code), "reading element type of " + what);
                long rank = Ort.size(n -> API.GetDimensionsCount(info, n), "reading rank of " + what);
                long[] dims = new long[(int) rank];
                check(API.GetDimensions(info, dims, rank), "reading dimensions of " + what);
                type = ElementType.fromOnnx(code.get(), what);
                shape = dims;
            }
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
        readTypeAndShape();
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        readTypeAndShape();
        return elementCount(shape);
    }

    /** The element type. */
    public ElementType type() {
        readTypeAndShape();
        return type;
    }

    /** All elements of a FLOAT tensor, row-major. */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(size())];
        new FloatPointer(data(ElementType.FLOAT)).capacity(out.length).get(out);
        return out;
    }

    /**
     * Copies {@code into.length} elements of a FLOAT tensor, starting at row-major element {@code from}, into
     * {@code into}: one row of a large output (the last position's logits) without copying the rest.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the tensor
     */
    public void copyFloats(long from, float[] into) {
        long n = size();
        if (from < 0 || from + into.length > n) {
            throw new IndexOutOfBoundsException("copyFloats: expected elements [" + from + ", " + (from + into.length)
                    + ") inside tensor " + Arrays.toString(shape) + " of " + n + " elements");
        }
        new FloatPointer(data(ElementType.FLOAT)).position(from).capacity(from + into.length).get(into);
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
            throw new IllegalStateException("tensor " + describe() + " is closed");
        }
        return value;
    }

    private Pointer data(ElementType expected) {
        readTypeAndShape();
        if (type != expected) {
            throw new IllegalStateException("reading tensor " + Arrays.toString(shape) + ": expected element type "
                    + expected + ", found " + type);
        }
        OrtValue v = value();
        if (buffer != null) {
            return buffer; // the value was created over this buffer (a session may have written into it)
        }
        requireCpu();
        try (PointerPointer<Pointer> out = Ort.nullSlots(1)) {
            check(API.GetTensorMutableData(v, out), "reading data of tensor " + Arrays.toString(shape));
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
        if (value != null) {
            readTypeAndShape();
        }
        return "Tensor[" + describe() + (value == null ? ", closed]" : "]");
    }

    /** e.g. {@code FLOAT [2, 3]}; an adopted value closed before its shape was read is named by {@code what}. */
    private String describe() {
        return shape != null ? type + " " + Arrays.toString(shape) : what + " (shape not read)";
    }
}
