package io.dpo4j.cli;

/** Help text on judge specs shared by commands that take {@code --judge}. */
final class JudgeSpecHelp {
    /** One paragraph; a compile-time constant so picocli annotations can use it. */
    static final String TEXT = "onnx:DIR (a judge directory: judge.json, model, tokenizer.json), cmd:PROGRAM ARG... or "
            + "cmd:[\"PROGRAM\",\"ARG\"] (a program answering one JSON line per candidate, never run through a "
            + "shell), length:L (-|n - L| / max(L, 1) for n completion tokens); @WEIGHT after a spec weights it "
            + "(default 1).";

    private JudgeSpecHelp() {}
}
