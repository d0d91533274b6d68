package io.dpo4j.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * Entry point: {@code dpo4j <command> [options]}. Every failure ends with one line {@code error: ...} on stderr and
 * a non-zero exit status; the stack trace is printed only with {@code --verbose} (or {@code DPO4J_DEBUG} set).
 */
@Command(name = "dpo4j", mixinStandardHelpOptions = true, version = "dpo4j 0.1.0",
        description = "Preference-tune language models (DPO and family) on ONNX Runtime's training runtime.",
        subcommands = {TrainCommand.class, EvalCommand.class, ExportInferenceCommand.class, ExportHfCommand.class,
                ExportAdapterCommand.class,
                BenchCommand.class,
                VerifyCommand.class, CheckArtifactsCommand.class, GenerateCommand.class, JudgeCommand.class,
                DataCommand.class, SweepCommand.class, ReportCommand.class, IterateCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  dpo4j train                                   # embedded default: tiny GPT-2 on IMDb preferences",
                "  dpo4j train --artifacts artifacts/tiny-llama --data prefs.jsonl --loss ipo --beta 0.5",
                "  dpo4j eval --checkpoint runs/dpo/checkpoints/step-000150 --data eval.jsonl",
                "  dpo4j data stats --data prefs.jsonl --artifacts artifacts/tiny-gpt2",
                "  dpo4j bench --artifacts artifacts/tiny-gpt2 --batch-size 8 --seq-len 128",
                "  dpo4j generate --model runs/dpo/policy.onnx --max-new-tokens 16",
                "  dpo4j judge --judge onnx:artifacts/judges/sentiment --input rows.jsonl",
                "  dpo4j sweep --param lr=1e-4:1e-2 --param beta=0.05:0.5 --trials 16",
                "  dpo4j iterate                                 # iterative DPO demo: tiny GPT-2, sentiment judge",
                "  dpo4j report runs/dpo runs/dpo-ipo --output reports/compare"})
public final class Main {

    /** Exit status of a failed command. */
    static final int FAILED = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On failure, print the stack trace after the one-line error. Default: off.")
    boolean verbose;

    private Main() {}

    /** @return the configured command line (used by tests and {@link #main}) */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("iterate").setDefaultValueProvider(IterateCommand.defaults(null));
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("error: " + oneLine(ex));
            if (verbose(parsed)) {
                ex.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return FAILED;
        });
        return cl;
    }

    /**
     * Runs {@code args} on {@code cl}: like {@link CommandLine#execute}, but an {@link Error} escaping a command
     * (out of memory, stack overflow) also ends with one line and {@link #FAILED}.
     */
    static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(withConfig(cl, args));
        } catch (IllegalArgumentException e) {
            cl.getErr().println("error: " + oneLine(e));
            cl.getErr().flush();
            return FAILED;
        } catch (Error e) {
            PrintWriter err = cl.getErr();
            err.println("error: " + oneLine(e));
            if (Arrays.asList(args).contains("--verbose") || System.getenv("DPO4J_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return FAILED;
        }
    }

    /**
     * With {@code --config FILE} in {@code args}: makes the file's values the defaults of {@code cl}'s options
     * (options given on the command line win).
     *
     * @return {@code args} with the file's list options added (see {@link ConfigFile#withListOptions})
     */
    static String[] withConfig(CommandLine cl, String[] args) {
        java.nio.file.Path config = ConfigFile.find(args);
        if (config == null) {
            return args;
        }
        ConfigFile file = ConfigFile.read(config);
        cl.setDefaultValueProvider(file);
        cl.getSubcommands().get("iterate").setDefaultValueProvider(IterateCommand.defaults(file));
        return file.withListOptions(cl, args);
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return System.getenv("DPO4J_DEBUG") != null;
    }

    /** One line describing a failure: its message with line breaks folded, or what happened and a hint. */
    static String oneLine(Throwable ex) {
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (" + ex.getMessage() + "); give Java more heap, e.g. JAVA_TOOL_OPTIONS=-Xmx8g, or "
                    + "lower --batch-size, --max-length or the data size limits (--max-rows, --max-prompt-chars)";
        }
        if (ex instanceof StackOverflowError) {
            return "stack overflow (input nested too deeply?); give Java a larger thread stack, e.g. "
                    + "JAVA_TOOL_OPTIONS=-Xss64m, or simplify the input";
        }
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            return "unexpected " + ex.getClass().getSimpleName() + " (rerun with --verbose for the stack trace)";
        }
        return m.strip().replaceAll("\\s*\\R\\s*", " | ");
    }

    /**
     * Stack of the thread the command runs on. ONNX Runtime's native code runs on the calling thread and needs more
     * stack than a small JVM default gives it ({@code -Xss256k} crashed the JVM with SIGSEGV), so the CLI does not
     * depend on {@code -Xss}.
     */
    static final long COMMAND_STACK_BYTES = 64L << 20;

    /** Runs the CLI on a thread with {@link #COMMAND_STACK_BYTES} of stack and exits with its status. */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedDefault.locateHome();
        int[] status = {FAILED};
        Thread command = new Thread(null, () -> status[0] = execute(commandLine(), args), "dpo4j",
                COMMAND_STACK_BYTES);
        command.start();
        command.join();
        System.exit(status[0]);
    }
}
