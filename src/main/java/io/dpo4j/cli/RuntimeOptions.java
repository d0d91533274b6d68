package io.dpo4j.cli;

import io.dpo4j.runtime.Device;
import io.dpo4j.runtime.SessionConfig;
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

    Device parsedDevice() {
        return Device.parse(device);
    }

    SessionConfig sessionConfig(long seed) {
        return new SessionConfig(parsedDevice(), threads, deterministic, seed);
    }
}
