package io.dpo4j.runtime;

/**
 * Options shared by training and inference sessions.
 *
 * @param device where the session runs
 * @param intraOpThreads intra-op thread count; 0 lets ORT choose
 * @param deterministic ask ORT for deterministic kernels ({@code SetDeterministicCompute})
 * @param seed ORT's global random seed (training API {@code SetSeed}), set when a session opens
 * @param tuning CPU memory arena, memory pattern and intra-op spinning
 */
public record SessionConfig(Device device, int intraOpThreads, boolean deterministic, long seed, SessionTuning tuning) {
    /** Validates device and tuning non-null and thread count ≥ 0. */
    public SessionConfig {
        if (device == null) {
            throw new IllegalArgumentException("SessionConfig.device: expected a device, found null");
        }
        if (tuning == null) {
            throw new IllegalArgumentException("SessionConfig.tuning: expected arena/pattern/spinning settings, found null");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("SessionConfig.intraOpThreads: expected >= 0 (0 = ORT default), found "
                    + intraOpThreads);
        }
    }

    /** A configuration with {@link SessionTuning#defaults()}. */
    public SessionConfig(Device device, int intraOpThreads, boolean deterministic, long seed) {
        this(device, intraOpThreads, deterministic, seed, SessionTuning.defaults());
    }

    /** CPU, ORT's default thread count, deterministic compute, seed 42. */
    public static SessionConfig cpuDefaults() {
        return new SessionConfig(Device.CPU, 0, true, 42L);
    }
}
