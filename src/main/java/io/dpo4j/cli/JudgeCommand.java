package io.dpo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.TokenizerSpec;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.judge.Candidate;
import io.dpo4j.judge.FailurePolicy;
import io.dpo4j.judge.Judge;
import io.dpo4j.judge.JudgeException;
import io.dpo4j.judge.Judges;
import io.dpo4j.util.Files2;
import io.dpo4j.util.OutputGuard;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dpo4j judge}: score (prompt, completion) rows with judges, to try a judge before iterating with it. */
@Command(name = "judge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score (prompt, completion) rows with one or more judges (weighted sum) and print each row with "
                + "its \"score\" as JSON lines.",
                "Input rows: {\"prompt\": ..., \"completion\": ..., \"completion_tokens\": N}; completion_tokens is "
                        + "optional (counted with the --artifacts tokenizer when absent). Judge specs: "
                        + JudgeSpecHelp.TEXT},
        footer = {"", "Examples:",
                "  dpo4j judge --judge onnx:artifacts/judges/sentiment --input rows.jsonl",
                "  dpo4j judge --judge onnx:artifacts/judges/sentiment --judge length:32@0.5 --input rows.jsonl "
                        + "--output scored.jsonl",
                "  dpo4j judge --judge 'cmd:python3 my_judge.py' --on-failure retry:2,skip --input rows.jsonl"})
final class JudgeCommand implements Callable<Integer> {
    @Option(names = "--judge", required = true, paramLabel = "SPEC",
            description = "Judge spec KIND:ARG[@WEIGHT]; repeat for a weighted sum. Required.")
    List<String> judges;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "JSON lines with prompt, completion and optionally completion_tokens. Required.")
    Path input;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the scored rows here (replaced atomically) instead of stdout. Default: stdout.")
    Path output;

    @Option(names = "--on-failure", defaultValue = "fail", paramLabel = "POLICY",
            description = "When a candidate cannot be scored: " + FailurePolicy.SYNTAX + " (skipped rows get "
                    + "\"score\": null). Default: ${DEFAULT-VALUE}.")
    String onFailure;

    @Option(names = "--command-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Per-candidate timeout of cmd: judges. Default: ${DEFAULT-VALUE}.")
    double commandTimeout;

    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory whose tokenizer counts completion_tokens when a row lacks it. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Mixin
    RuntimeOptions runtime;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws JudgeException {
        FailurePolicy policy = FailurePolicy.parse(onFailure);
        if (!(commandTimeout > 0) || commandTimeout > 86_400) {
            throw new IllegalArgumentException("--command-timeout: expected seconds in (0, 86400], found "
                    + commandTimeout);
        }
        if (output != null) {
            OutputGuard.requireNotInput("--output", output, List.of(new OutputGuard.Input("--input", input)));
        }
        List<ObjectNode> rows = readRows(input);
        List<Candidate> cands = candidates(rows);
        PrintWriter err = command.commandLine().getErr();
        long start = System.nanoTime();
        double[] scores;
        try (Judge judge = Judges.open(judges, runtime.sessionConfig(0),
                Duration.ofMillis(Math.round(commandTimeout * 1000)))) {
            scores = policy.scoreAll(judge, cands, w -> err.println("warning: " + w));
            err.printf(Locale.ROOT, "judged %d rows with %s in %.2f s: %s%n", rows.size(), judge.name(),
                    (System.nanoTime() - start) / 1e9, summary(scores));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            ObjectNode r = rows.get(i);
            if (Double.isNaN(scores[i])) {
                r.putNull("score");
            } else {
                r.put("score", scores[i]);
            }
            out.append(r).append('\n');
        }
        if (output == null) {
            command.commandLine().getOut().print(out);
            command.commandLine().getOut().flush();
        } else {
            Files2.writeAtomically(output, out.toString().getBytes(StandardCharsets.UTF_8));
        }
        err.flush();
        return 0;
    }

    private static String summary(double[] s) {
        List<Integer> kept = FailurePolicy.scored(s);
        if (kept.isEmpty()) {
            return "no row scored (" + s.length + " skipped)";
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (int i : kept) {
            min = Math.min(min, s[i]);
            max = Math.max(max, s[i]);
            sum += s[i];
        }
        return String.format(Locale.ROOT, "mean %.4f, min %.4f, max %.4f, %d skipped", sum / kept.size(), min, max,
                s.length - kept.size());
    }

    private static List<ObjectNode> readRows(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("--input " + file + ": cannot read: " + e.getMessage(), e);
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode n;
            try {
                n = Files2.JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": expected a JSON object, found invalid JSON");
            }
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(where + ": expected a JSON object, found "
                        + (n == null ? "nothing" : n.getNodeType()));
            }
            for (String f : List.of("prompt", "completion")) {
                if (n.get(f) == null || !n.get(f).isTextual()) {
                    throw new IllegalArgumentException(where + ": expected a string field \"" + f + "\", found "
                            + n.get(f));
                }
            }
            JsonNode t = n.get("completion_tokens");
            if (t != null && (!t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 0)) {
                throw new IllegalArgumentException(where + ": expected completion_tokens to be an integer >= 0, "
                        + "found " + t);
            }
            rows.add((ObjectNode) n);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("--input " + file + ": expected at least one row, found none");
        }
        return rows;
    }

    private List<Candidate> candidates(List<ObjectNode> rows) {
        boolean count = rows.stream().anyMatch(r -> r.get("completion_tokens") == null);
        PairTokenizer tok = null;
        try {
            if (count) {
                ArtifactSet art = ArtifactSet.load(artifacts);
                tok = new PairTokenizer(art.file("tokenizer.json"),
                        TokenizerSpec.from(art.manifest().specialTokens()), DataOptions.defaults());
            }
            List<Candidate> out = new ArrayList<>();
            for (ObjectNode r : rows) {
                String completion = r.get("completion").asText();
                int n = r.get("completion_tokens") != null ? r.get("completion_tokens").asInt()
                        : tok.encodeText(completion).length;
                out.add(new Candidate(r.get("prompt").asText(), completion, n));
            }
            return out;
        } finally {
            if (tok != null) {
                tok.close();
            }
        }
    }
}
