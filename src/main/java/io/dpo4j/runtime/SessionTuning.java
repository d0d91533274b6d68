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

    /**
     * Default of {@link #cpuArena}: on (as ORT's own default). With the exporter's training-graph rewrites (no dead
     * forward buffer kept for its gradient), GPT-2 124M idle side by side: arena on 2,821 / 4,691 / 11,741 MiB and
     * 1.37 / 7.67 / 34.1 s/step at 1×128 / 4×256 / 8×512 against 2,997 / 5,864 / 10,992 MiB and 1.43 / 8.52 / 46.4
     * s/step with it off (fresh buffers from the C allocator are new pages to fault in every step); TRL 0.12.2:
     * 3,243 / 6,187 / 15,955 MiB (benchmarks.md, "Session settings").
     */
    public static final boolean DEFAULT_CPU_ARENA = true;
    /** Default of {@link #memPattern}: off (ORT's own default is on); the pattern alone added ~3 GB there. */
    public static final boolean DEFAULT_MEM_PATTERN = false;
    /** Default of {@link #spinWait}: off (ORT's own default is on): spinning workers take cores others need. */
    public static final boolean DEFAULT_SPIN_WAIT = false;

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
