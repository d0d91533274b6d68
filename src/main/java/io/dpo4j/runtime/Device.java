package io.dpo4j.runtime;

import java.util.Locale;

/**
 * Where a session runs: the CPU, or CUDA device {@code index}.
 *
 * @param kind CPU or CUDA
 * @param index device ordinal; always 0 for the CPU
 */
public record Device(Kind kind, int index) {
    /** Device families dpo4j can run on. */
    public enum Kind { CPU, CUDA }

    /** The CPU. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    /** Validates: kind non-null, index ≥ 0, CPU index 0. */
    public Device {
        if (kind == null) {
            throw new IllegalArgumentException("device kind: expected CPU or CUDA, found null");
        }
        if (index < 0 || (kind == Kind.CPU && index != 0)) {
            throw new IllegalArgumentException("device index for " + kind + ": expected "
                    + (kind == Kind.CPU ? "0" : ">= 0") + ", found " + index);
        }
    }

    /** CUDA device {@code index}. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /**
     * Parses {@code "cpu"}, {@code "cuda"} (device 0) or {@code "cuda:N"}, case-insensitively.
     *
     * @throws IllegalArgumentException naming the valid forms
     */
    public static Device parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("cuda")) {
            return cuda(0);
        }
        if (t.startsWith("cuda:")) {
            String n = t.substring(5);
            if (!n.isEmpty() && n.chars().allMatch(Character::isDigit) && n.length() <= 4) {
                return cuda(Integer.parseInt(n));
            }
        }
        throw new IllegalArgumentException("device: expected one of \"cpu\", \"cuda\", \"cuda:N\" (N = 0, 1, ...), found \""
                + s + "\"");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
