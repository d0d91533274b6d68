package io.dpo4j.cli;

import io.dpo4j.runtime.Device;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.SessionTuning;
import picocli.CommandLine.Option;

/** Device and threading options shared by every command that runs a model. */
final class RuntimeOptions {
    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu or cuda:N (needs the GPU natives, see README \"GPU\"). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "0",
            description = "Intra-op threads; 0 = ONNX Runtime's default (one per core). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--deterministic", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "ONNX Runtime deterministic compute (bit-identical reruns). Default: ${DEFAULT-VALUE}.")
    boolean deterministic;

    @Option(names = "--cpu-arena", paramLabel = "on|off", defaultValue = SessionTuning.DEFAULT_CPU_ARENA ? "on" : "off",
            description = "ONNX Runtime's CPU memory arena (keeps freed blocks; raises peak memory). "
                    + "Default: ${DEFAULT-VALUE}.")
    String cpuArena;

    @Option(names = "--mem-pattern", paramLabel = "on|off", defaultValue = SessionTuning.DEFAULT_MEM_PATTERN ? "on" : "off",
            description = "ONNX Runtime's memory pattern (one block per input shape for all intermediates). "
                    + "Default: ${DEFAULT-VALUE}.")
    String memPattern;

    @Option(names = "--spin-wait", paramLabel = "on|off", defaultValue = SessionTuning.DEFAULT_SPIN_WAIT ? "on" : "off",
            description = "Intra-op threads spin while idle (session.intra_op.allow_spinning; costs CPU on a shared "
                    + "machine). Default: ${DEFAULT-VALUE}.")
    String spinWait;

    Device parsedDevice() {
        return Device.parse(device);
    }

    SessionConfig sessionConfig(long seed) {
        return new SessionConfig(parsedDevice(), threads, deterministic, seed, tuning());
    }

    SessionTuning tuning() {
        return new SessionTuning(onOff("--cpu-arena", cpuArena), onOff("--mem-pattern", memPattern),
                onOff("--spin-wait", spinWait));
    }

    static boolean onOff(String option, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(option + ": expected on or off, found '" + value + "'");
        };
    }
}
