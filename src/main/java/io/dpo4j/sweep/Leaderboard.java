package io.dpo4j.sweep;

import io.dpo4j.util.Files2;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The finished trials ranked by objective: a TSV file ({@code leaderboard.tsv}) and a printed table. */
final class Leaderboard {
    private Leaderboard() {}

    static void write(SweepSettings s, List<TrialRecord> board, Path file) {
        StringBuilder b = new StringBuilder("rank\ttrial");
        s.params().forEach(p -> b.append('\t').append(p.name()));
        b.append('\t').append(s.objective()).append('\n');
        int rank = 1;
        for (TrialRecord r : board) {
            b.append(rank++).append('\t').append(r.trial());
            s.params().forEach(p -> b.append('\t').append(r.values().get(p.name())));
            b.append('\t').append(r.objective()).append('\n');
        }
        Files2.writeAtomically(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String table(SweepSettings s, List<TrialRecord> board) {
        StringBuilder b = new StringBuilder(String.format("%-5s %-6s", "rank", "trial"));
        s.params().forEach(p -> b.append(String.format(" %-14s", p.name())));
        b.append(String.format(" %s (%s)%n", s.objective(), s.maximize() ? "higher is better" : "lower is better"));
        int rank = 1;
        for (TrialRecord r : board) {
            b.append(String.format("%-5d %-6d", rank++, r.trial()));
            s.params().forEach(p -> b.append(String.format(" %-14.6g", Double.parseDouble(r.values().get(p.name())))));
            b.append(String.format(" %.6g%n", r.objective()));
        }
        return b.toString();
    }
}
