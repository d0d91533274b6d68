package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.API;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_WARNING;

import org.bytedeco.onnxruntime.OrtEnv;

/**
 * ORT's process environment ({@code OrtEnv}): logging and global thread pools. Create one per process, open sessions
 * with it, and close it after every session created from it.
 */
public final class OrtEnvironment implements AutoCloseable {
    private OrtEnv env;

    private OrtEnvironment(OrtEnv env) {
        this.env = env;
    }

    /** Creates the environment, logging warnings and errors under {@code logId}. */
    public static OrtEnvironment create(String logId) {
        OrtEnv env = new OrtEnv();
        Ort.check(API.CreateEnv(ORT_LOGGING_LEVEL_WARNING, logId, env), "creating ORT environment '" + logId + "'");
        return new OrtEnvironment(env);
    }

    /** ORT's version string, e.g. {@code 1.24.1}. */
    public static String ortVersion() {
        return org.bytedeco.onnxruntime.global.onnxruntime.OrtGetApiBase().GetVersionString().call().getString();
    }

    OrtEnv handle() {
        if (env == null) {
            throw new IllegalStateException("ORT environment is closed");
        }
        return env;
    }

    /** Releases the environment; later calls do nothing. */
    @Override
    public void close() {
        if (env != null) {
            API.ReleaseEnv(env);
            env = null;
        }
    }
}
