package io.dpo4j.runtime;

/**
 * ONNX Runtime's CPU memory and threading switches of a session (they change memory use and speed, never results).
 *
 * @param cpuArena   ORT's CPU memory arena ({@code EnableCpuMemArena} / {@code DisableCpuMemArena}): a BFC arena that
 *                   keeps freed blocks for reuse instead of returning them to the C allocator
 * @param memPattern ORT's memory pattern ({@code EnableMemPattern} / {@code DisableMemPattern}): after a run, one block
 *                   per input shape sized for all of that run's intermediate tensors
 * @param spinWait   intra-op worker threads spin while waiting for work (session config entry
 *                   {@value #SPINNING_KEY} = 1) instead of sleeping at once (= 0)
 */
public record SessionTuning(boolean cpuArena, boolean memPattern, boolean spinWait) {
    /** Session config entry that allows or forbids intra-op spinning. */
    public static final String SPINNING_KEY = "session.intra_op.allow_spinning";

    /** Default of {@link #cpuArena} (ORT's own default). */
    public static final boolean DEFAULT_CPU_ARENA = true;
    /** Default of {@link #memPattern} (ORT's own default). */
    public static final boolean DEFAULT_MEM_PATTERN = true;
    /** Default of {@link #spinWait} (ORT's own default). */
    public static final boolean DEFAULT_SPIN_WAIT = true;

    /** @return the defaults ({@link #DEFAULT_CPU_ARENA}, {@link #DEFAULT_MEM_PATTERN}, {@link #DEFAULT_SPIN_WAIT}) */
    public static SessionTuning defaults() {
        return new SessionTuning(DEFAULT_CPU_ARENA, DEFAULT_MEM_PATTERN, DEFAULT_SPIN_WAIT);
    }

    /** @return e.g. {@code cpu-arena off, mem-pattern off, spin-wait off} */
    @Override
    public String toString() {
        return "cpu-arena " + onOff(cpuArena) + ", mem-pattern " + onOff(memPattern) + ", spin-wait " + onOff(spinWait);
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }
}
