package io.dpo4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code dpo4j <command> [options]}. */
@Command(name = "dpo4j", mixinStandardHelpOptions = true, version = "dpo4j 0.1.0",
        description = "Preference-tune language models (DPO and family) on ONNX Runtime's training runtime.",
        subcommands = {TrainCommand.class, EvalCommand.class, ExportInferenceCommand.class, BenchCommand.class,
                VerifyCommand.class, GenerateCommand.class,
                DataCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  dpo4j train                                   # embedded default: tiny GPT-2 on IMDb preferences",
                "  dpo4j train --artifacts artifacts/tiny-llama --data prefs.jsonl --loss ipo --beta 0.5",
                "  dpo4j eval --checkpoint runs/dpo/checkpoints/step-000150 --data eval.jsonl",
                "  dpo4j data stats --data prefs.jsonl --artifacts artifacts/tiny-gpt2",
                "  dpo4j bench --artifacts artifacts/tiny-gpt2 --batch-size 8 --seq-len 128",
                "  dpo4j generate --model runs/dpo/policy.onnx --max-new-tokens 16"})
public final class Main {
    private Main() {}

    /** @return the configured command line (used by tests and {@link #main}) */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("error: " + message(ex));
            if (System.getenv("DPO4J_DEBUG") != null) {
                ex.printStackTrace(line.getErr());
            }
            return 2;
        });
        return cl;
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null ? ex.getClass().getSimpleName() : m;
    }

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
