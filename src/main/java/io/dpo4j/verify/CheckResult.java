package io.dpo4j.verify;

/**
 * Outcome of one self-check.
 *
 * @param name   what was checked, e.g. {@code determinism tiny-gpt2}
 * @param passed whether it passed
 * @param detail the measured numbers (max differences, first differing step, ...)
 */
public record CheckResult(String name, boolean passed, String detail) {
    @Override
    public String toString() {
        return (passed ? "PASS " : "FAIL ") + name + ": " + detail;
    }
}
