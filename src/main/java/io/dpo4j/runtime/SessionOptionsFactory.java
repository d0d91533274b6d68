package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.API;
import static io.dpo4j.runtime.Ort.check;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_ENABLE_ALL;

import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtCUDAProviderOptionsV2;
import org.bytedeco.onnxruntime.OrtSessionOptions;

/** Builds native session options from a {@link SessionConfig}; the caller releases them with {@link #release}. */
final class SessionOptionsFactory {
    private SessionOptionsFactory() {
    }

    static OrtSessionOptions create(SessionConfig cfg) {
        OrtSessionOptions so = new OrtSessionOptions();
        check(API.CreateSessionOptions(so), "creating session options");
        try {
            check(API.SetSessionGraphOptimizationLevel(so, ORT_ENABLE_ALL), "setting graph optimization level");
            if (cfg.intraOpThreads() > 0) {
                check(API.SetIntraOpNumThreads(so, cfg.intraOpThreads()),
                        "setting intra-op threads to " + cfg.intraOpThreads());
            }
            check(API.SetDeterministicCompute(so, cfg.deterministic()),
                    "setting deterministic compute to " + cfg.deterministic());
            applyTuning(so, cfg.tuning());
            if (cfg.device().kind() == Device.Kind.CUDA) {
                appendCuda(so, cfg.device());
            }
            return so;
        } catch (RuntimeException e) {
            release(so);
            throw e;
        }
    }

    private static void applyTuning(OrtSessionOptions so, SessionTuning t) {
        check(t.cpuArena() ? API.EnableCpuMemArena(so) : API.DisableCpuMemArena(so),
                "turning the CPU memory arena " + (t.cpuArena() ? "on" : "off"));
        check(t.memPattern() ? API.EnableMemPattern(so) : API.DisableMemPattern(so),
                "turning the memory pattern " + (t.memPattern() ? "on" : "off"));
        String spin = t.spinWait() ? "1" : "0";
        check(API.AddSessionConfigEntry(so, SessionTuning.SPINNING_KEY, spin),
                "setting session config " + SessionTuning.SPINNING_KEY + " = " + spin);
    }

    static void release(OrtSessionOptions so) {
        if (so != null && !so.isNull()) {
            API.ReleaseSessionOptions(so);
        }
    }

    private static void appendCuda(OrtSessionOptions so, Device device) {
        String action = "enabling the CUDA execution provider on " + device;
        CudaLibraries.preload();
        OrtCUDAProviderOptionsV2 cuda = new OrtCUDAProviderOptionsV2();
        try {
            try {
                check(API.CreateCUDAProviderOptions(cuda), action);
                try (PointerPointer<?> keys = new PointerPointer<>("device_id");
                        PointerPointer<?> values = new PointerPointer<>(Integer.toString(device.index()))) {
                    check(API.UpdateCUDAProviderOptions(cuda, keys, values, 1), action + " (device_id)");
                }
                check(API.SessionOptionsAppendExecutionProvider_CUDA_V2(so, cuda), action);
            } catch (OrtRuntimeException e) {
                throw new OrtRuntimeException(e.action(), e.ortCode(), e.ortMessage(), CudaLibraries.hint());
            }
        } finally {
            if (!cuda.isNull()) {
                API.ReleaseCUDAProviderOptions().call(cuda);
            }
        }
    }
}
