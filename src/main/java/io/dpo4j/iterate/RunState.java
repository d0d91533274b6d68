package io.dpo4j.iterate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.train.RunLock;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of an iterative run and which rounds are done. {@code <output>/} holds {@code iterate.json} (the options
 * the run was started with), {@code report.jsonl} (one row per completed round) and {@code round-N/} per round. A
 * round is complete exactly when its marker {@code round-N/round.json} exists: it is written last, by rename, and
 * records the SHA-256 of the round's files, verified when a rerun continues the run. A rerun with the same options
 * continues at the first round without a marker (round directories after it, left by nothing but an edit, are
 * removed); a rerun with other options is refused, naming them. The directory is locked ({@link RunLock}) while a
 * run uses it.
 */
final class RunState implements AutoCloseable {
    /** The options the run was started with. */
    static final String OPTIONS_FILE = "iterate.json";
    /** The report, one JSON object per completed round. */
    static final String REPORT_FILE = "report.jsonl";
    /** A round's completion marker. */
    static final String MARKER = "round.json";
    /** Names of the files this run writes by temporary + rename (their temporaries are swept at start). */
    static final String OWN_FILES = "iterate\\.json|report\\.jsonl|config\\.yaml|round\\.json|generations\\.jsonl"
            + "|scores\\.jsonl|pairs\\.jsonl|trained\\.json|eval-samples\\.jsonl";
    private static final Pattern ROUND_DIR = Pattern.compile("round-(\\d{1,6})");
    private static final int FORMAT = 1;

    private final Path output;
    private final RunLock lock;

    private RunState(Path output, RunLock lock) {
        this.output = output;
        this.lock = lock;
    }

    /**
     * Creates (if needed) and locks the run directory, and removes temporaries a killed run left.
     *
     * @throws IllegalStateException when another run holds the directory
     */
    static RunState open(Path output, PrintWriter log) {
        if (Files.isRegularFile(output)) {
            throw new IllegalArgumentException("--output " + output + ": expected a directory, found a file");
        }
        RunLock lock = RunLock.acquire(output);
        RunState s = new RunState(output, lock);
        try {
            s.sweepTemporaries(log);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        return s;
    }

    Path output() {
        return output;
    }

    /** @return {@code <output>/round-N} */
    Path roundDir(int round) {
        return output.resolve("round-" + round);
    }

    /**
     * Records the options on the first run; on a rerun, refuses options that differ from the recorded ones, except
     * the keys in {@code mayChange} (e.g. the number of rounds, to extend a run).
     *
     * @throws IllegalArgumentException naming each differing option with both values
     */
    void checkOptions(Map<String, String> options, Set<String> mayChange) {
        Path file = output.resolve(OPTIONS_FILE);
        if (!Files.exists(file)) {
            ObjectNode root = Jsonl.JSON.createObjectNode();
            root.put("format", FORMAT);
            ObjectNode o = root.putObject("options");
            new java.util.TreeMap<>(options).forEach(o::put);
            Jsonl.writeObject(file, root);
            return;
        }
        ObjectNode root = Jsonl.readObject(file);
        JsonNode recorded = root.get("options");
        if (root.path("format").asInt() != FORMAT || recorded == null || !recorded.isObject()) {
            throw new IllegalArgumentException(file + ": expected a dpo4j iterate options file (format " + FORMAT
                    + "), found another; use another --output");
        }
        Map<String, String> before = new LinkedHashMap<>();
        recorded.properties().forEach(e -> before.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        List<String> diffs = new ArrayList<>();
        for (String k : new TreeSet<>(union(before.keySet(), options.keySet()))) {
            if (mayChange.contains(k)) {
                continue;
            }
            String a = before.get(k);
            String b = options.get(k);
            if (!java.util.Objects.equals(a, b)) {
                diffs.add("--" + k + " " + show(a) + " (now " + show(b) + ")");
            }
        }
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("--output " + output + " holds a run started with other options: "
                    + String.join(", ", diffs) + "; rerun with the original options to continue it (only "
                    + String.join(", ", mayChange.stream().map(k -> "--" + k).sorted().toList())
                    + " may change), or use another --output");
        }
        if (!before.equals(options)) { // only options that may change differ: record the new values
            ObjectNode o = root.putObject("options");
            new java.util.TreeMap<>(options).forEach(o::put);
            Jsonl.writeObject(file, root);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static String show(String v) {
        return v == null ? "unset" : "'" + v + "'";
    }

    /**
     * @return the first round in 0..rounds without a marker (rounds + 1 when all have one), after verifying the
     *     markers before it
     * @throws IllegalStateException when a completed round's file no longer matches its marker
     */
    int firstIncomplete(int rounds) {
        for (int r = 0; r <= rounds; r++) {
            if (!Files.isRegularFile(roundDir(r).resolve(MARKER))) {
                return r;
            }
            verify(r);
        }
        return rounds + 1;
    }

    /** Checks a completed round's files against the SHA-256 its marker records. */
    private void verify(int round) {
        ObjectNode m = marker(round);
        JsonNode files = m.get("files");
        if (files == null || !files.isObject()) {
            throw new IllegalStateException(roundDir(round).resolve(MARKER) + ": expected a 'files' object, found "
                    + (files == null ? "none" : files.getNodeType()));
        }
        for (var e : files.properties()) {
            Path f = roundDir(round).resolve(e.getKey());
            if (!e.getKey().matches(OWN_FILES) || !Files.isRegularFile(f)
                    || !Files2.sha256(f).equals(e.getValue().asText())) {
                throw new IllegalStateException("round " + round + " is marked complete but " + f + (Files.exists(f)
                        ? " changed since (SHA-256 differs from " + roundDir(round).resolve(MARKER) + ")"
                        : " is missing") + "; restore it, or delete " + roundDir(round) + " and the rounds after it "
                        + "to redo them");
            }
        }
    }

    /** @return the marker of a completed round */
    ObjectNode marker(int round) {
        return Jsonl.readObject(roundDir(round).resolve(MARKER));
    }

    /**
     * Marks a round complete: its files' SHA-256 and the report row, written last by rename.
     *
     * @param files      names of the round's files (in its directory) to record
     * @param checkpoint the round's policy checkpoint relative to the output directory, or null for the start model
     */
    void complete(int round, List<String> files, String checkpoint, ObjectNode report) {
        ObjectNode m = Jsonl.JSON.createObjectNode();
        m.put("round", round);
        m.put("checkpoint", checkpoint);
        ObjectNode sums = m.putObject("files");
        for (String f : files) {
            sums.put(f, Files2.sha256(roundDir(round).resolve(f)));
        }
        m.set("report", report);
        Jsonl.writeObject(roundDir(round).resolve(MARKER), m);
    }

    /** @return the checkpoint directory a completed round's marker names, or null for the start model */
    Path checkpointOf(int round) {
        JsonNode c = marker(round).get("checkpoint");
        return c == null || c.isNull() ? null : output.resolve(c.asText());
    }

    /**
     * Removes the directories of rounds after {@code round} (they can only exist from an edited or older run: a
     * round after an incomplete one is never started), so no stale file is taken for a new one.
     *
     * @return the directories removed
     */
    List<Path> discardAfter(int round) {
        List<Path> removed = new ArrayList<>();
        for (Path dir : roundDirs()) {
            Matcher m = ROUND_DIR.matcher(dir.getFileName().toString());
            if (m.matches() && Integer.parseInt(m.group(1)) > round) {
                Files2.deleteTree(dir);
                removed.add(dir);
            }
        }
        return removed;
    }

    /** Writes report.jsonl from the completed rounds' report rows. */
    void writeReport(List<ObjectNode> rows) {
        Jsonl.write(output.resolve(REPORT_FILE), rows);
    }

    private List<Path> roundDirs() {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(output)) {
            return s.filter(p -> Files.isDirectory(p) && ROUND_DIR.matcher(p.getFileName().toString()).matches())
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + output + ": " + IoReason.of(e), e);
        }
    }

    /** Removes {@code <own file>.tmp-<digits>} files in the output and round directories (a killed run's). */
    private void sweepTemporaries(PrintWriter log) {
        List<Path> dirs = new ArrayList<>(List.of(output));
        dirs.addAll(roundDirs());
        for (Path d : dirs) {
            try (Stream<Path> s = Files.list(d)) {
                for (Path p : s.toList()) {
                    if (Files.isRegularFile(p) && Files2.isTempOf(p.getFileName().toString(), OWN_FILES)) {
                        Files.delete(p);
                        log.println("removed leftover temporary " + p);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + d + ": " + IoReason.of(e), e);
            }
        }
    }

    @Override
    public void close() {
        lock.close();
    }
}
