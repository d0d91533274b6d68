package io.dpo4j.iterate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** The report rows as a fixed-width table (printed at the end of {@code dpo4j iterate}). */
public final class ReportTable {
    private ReportTable() {}

    /** @return one header line and one line per round */
    public static String format(List<ObjectNode> rows) {
        boolean band = rows.stream().anyMatch(r -> r.has("length_in_band"));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%5s %7s %11s %13s %11s %8s%s %8s %9s %8s%n", "round", "pairs",
                "reward mean", "reward median", "length mean", "length p50", band ? "  in band" : "", "KL",
                "win rate", "seconds"));
        for (ObjectNode r : rows) {
            sb.append(String.format(Locale.ROOT, "%5d %7s %11.4f %13.4f %11.2f %10d%s %8.3f %9.3f %8.1f%n",
                    r.get("round").asInt(), r.has("pairs") ? String.valueOf(r.get("pairs").asInt()) : "-",
                    Jsonl.number(r, "reward_mean"), Jsonl.number(r, "reward_median"), Jsonl.number(r, "length_mean"),
                    r.path("length_p50").asInt(), band ? String.format(Locale.ROOT, " %8.3f",
                            Jsonl.number(r, "length_in_band")) : "", Jsonl.number(r, "kl"),
                    Jsonl.number(r, "win_rate"), Jsonl.number(r, "seconds")));
        }
        return sb.toString();
    }
}
