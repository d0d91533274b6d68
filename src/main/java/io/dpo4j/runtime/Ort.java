package io.dpo4j.runtime;

import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_API_VERSION;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.onnxruntime.OrtAllocator;
import org.bytedeco.onnxruntime.OrtApi;
import org.bytedeco.onnxruntime.OrtApiBase;
import org.bytedeco.onnxruntime.OrtMemoryInfo;
import org.bytedeco.onnxruntime.OrtStatus;
import org.bytedeco.onnxruntime.OrtTrainingApi;
import org.bytedeco.onnxruntime.global.onnxruntime;

/**
 * Process-wide handles into ORT's C API (loaded on first use) and the status / string conventions every wrapper
 * uses: a non-null {@code OrtStatus} is read, released, then thrown as {@link OrtRuntimeException}; strings ORT
 * allocates are copied to Java and freed with {@code AllocatorFree}.
 */
final class Ort {
    /** The OrtApi of {@link onnxruntime#ORT_API_VERSION}. */
    static final OrtApi API;
    /** The training API (non-null on the bytedeco build, which has {@code --enable_training_apis}). */
    static final OrtTrainingApi TRAINING;
    /** ORT's default CPU allocator; owned by ORT, never released. */
    static final OrtAllocator ALLOCATOR;
    /** CPU memory info for tensors over Java-allocated native buffers; lives as long as the process. */
    static final OrtMemoryInfo CPU_MEMORY;

    static {
        OrtApiBase base = onnxruntime.OrtGetApiBase();
        OrtApi api = base.GetApi().call(ORT_API_VERSION);
        if (api == null || api.isNull()) {
            throw new IllegalStateException("ONNX Runtime: expected OrtApi version " + ORT_API_VERSION
                    + ", found none (native library " + base.GetVersionString().call().getString() + ")");
        }
        API = api;
        OrtTrainingApi training = api.GetTrainingApi().call(ORT_API_VERSION);
        if (training == null || training.isNull()) {
            throw new IllegalStateException("ONNX Runtime: expected the training API, found none: the native library "
                    + "was built without --enable_training_apis");
        }
        TRAINING = training;
        OrtAllocator allocator = new OrtAllocator();
        check(api.GetAllocatorWithDefaultOptions(allocator), "getting ORT's default allocator");
        ALLOCATOR = allocator;
        OrtMemoryInfo memory = new OrtMemoryInfo();
        check(api.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, memory), "creating CPU memory info");
        CPU_MEMORY = memory;
    }

    private Ort() {
    }

    /** Throws {@link OrtRuntimeException} (after releasing the status) when {@code status} reports an error. */
    static void check(OrtStatus status, String action) {
        if (status == null || status.isNull()) {
            return;
        }
        int code = API.GetErrorCode().call(status);
        String message = API.GetErrorMessage().call(status).getString();
        API.ReleaseStatus(status);
        throw new OrtRuntimeException(action, OrtRuntimeException.codeName(code), message);
    }

    /** Copies and frees a string that ORT allocated with {@link #ALLOCATOR}. */
    static String takeString(BytePointer s, String action) {
        if (s == null || s.isNull()) {
            throw new IllegalStateException(action + ": expected a string from ORT, found NULL");
        }
        try {
            return s.getString();
        } finally {
            check(API.AllocatorFree(ALLOCATOR, s), action + " (freeing the returned string)");
        }
    }

    /** Frees memory that ORT allocated with {@link #ALLOCATOR}. */
    static void free(Pointer p, String action) {
        if (p != null && !p.isNull()) {
            check(API.AllocatorFree(ALLOCATOR, p), action);
        }
    }

    /** A native {@code size_t} out-parameter read after {@code call} fills it. */
    static long size(java.util.function.Function<SizeTPointer, OrtStatus> call, String action) {
        try (SizeTPointer n = new SizeTPointer(1)) {
            n.put(0L);
            check(call.apply(n), action);
            return n.get();
        }
    }

    /** Reads {@code count} names through {@code nameAt(index, out)}, freeing each ORT-allocated string. */
    static List<String> names(long count, BiFunction<Long, BytePointer, OrtStatus> nameAt, String action) {
        List<String> names = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            BytePointer out = new BytePointer();
            check(nameAt.apply(i, out), action + " #" + i);
            names.add(takeString(out, action + " #" + i));
        }
        return List.copyOf(names);
    }

    /** An output array of {@code n} slots, every slot NULL (ORT treats non-null slots as preallocated outputs). */
    static PointerPointer<Pointer> nullSlots(long n) {
        PointerPointer<Pointer> slots = new PointerPointer<>(Math.max(1, n));
        for (long i = 0; i < Math.max(1, n); i++) {
            slots.put(i, (Pointer) null);
        }
        return slots;
    }
}
