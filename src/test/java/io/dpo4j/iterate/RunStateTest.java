package io.dpo4j.iterate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The round state machine: options recorded and compared, markers as the only completion, resume point, cleanup. */
class RunStateTest {
    @TempDir
    Path tmp;

    private final StringWriter logText = new StringWriter();
    private final PrintWriter log = new PrintWriter(logText, true);

    private static ObjectNode row(int round) {
        ObjectNode n = Jsonl.JSON.createObjectNode();
        n.put("round", round);
        n.put("reward_mean", 0.5 + round);
        return n;
    }

    /** Writes a round's file and marks the round complete. */
    private static void complete(RunState s, int round) throws Exception {
        Files.createDirectories(s.roundDir(round));
        Files.writeString(s.roundDir(round).resolve("pairs.jsonl"), "{\"round\": " + round + "}\n");
        s.complete(round, List.of("pairs.jsonl"), round == 0 ? null : "round-" + round + "/train/checkpoints/x",
                row(round));
    }

    @Test
    void theFirstRoundWithoutAMarkerIsWhereARunContinues() throws Exception {
        Path out = tmp.resolve("run");
        try (RunState s = RunState.open(out, log)) {
            assertThat(s.firstIncomplete(3)).isZero();
            complete(s, 0);
            complete(s, 1);
            Files.createDirectories(s.roundDir(2));
            Files.writeString(s.roundDir(2).resolve("generations.jsonl"), "{}\n"); // a round cut short: no marker
            assertThat(s.firstIncomplete(3)).isEqualTo(2);
            assertThat(s.checkpointOf(0)).isNull();
            assertThat(s.checkpointOf(1)).isEqualTo(out.resolve("round-1/train/checkpoints/x"));
            assertThat(s.marker(1).get("report")).isEqualTo(row(1));
            complete(s, 2);
            complete(s, 3);
            assertThat(s.firstIncomplete(3)).isEqualTo(4);
            assertThat(s.firstIncomplete(2)).isEqualTo(3); // fewer rounds asked: all of them done
        }
    }

    @Test
    void aChangedFileOfACompletedRoundIsFound() throws Exception {
        try (RunState s = RunState.open(tmp.resolve("run"), log)) {
            complete(s, 0);
            complete(s, 1);
            Files.writeString(s.roundDir(0).resolve("pairs.jsonl"), "{\"edited\": true}\n");
            assertThatThrownBy(() -> s.firstIncomplete(2)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("round 0 is marked complete but " + s.roundDir(0).resolve("pairs.jsonl")
                            + " changed since");
            Files.delete(s.roundDir(0).resolve("pairs.jsonl"));
            assertThatThrownBy(() -> s.firstIncomplete(2)).hasMessageContaining("is missing");
        }
    }

    @Test
    void roundsAfterAnIncompleteOneAreDiscarded() throws Exception {
        try (RunState s = RunState.open(tmp.resolve("run"), log)) {
            complete(s, 0);
            Files.createDirectories(s.roundDir(1));
            complete(s, 2); // only an edit can leave this behind
            Files.createDirectories(s.roundDir(12));
            Files.createDirectories(s.output().resolve("round-x"));
            assertThat(s.firstIncomplete(3)).isEqualTo(1);
            assertThat(s.discardAfter(1)).containsExactly(s.roundDir(12), s.roundDir(2));
            assertThat(s.roundDir(1)).isDirectory();
            assertThat(s.output().resolve("round-x")).isDirectory(); // not a round directory name
        }
    }

    @Test
    void optionsAreRecordedAndADifferentRerunIsRefusedNamingEachOption() throws Exception {
        Path out = tmp.resolve("run");
        Map<String, String> first = Map.of("lr", "0.003", "rounds", "3", "judge", "onnx:a", "seed", "0");
        try (RunState s = RunState.open(out, log)) {
            s.checkOptions(first, Iteration.MAY_CHANGE);
        }
        try (RunState s = RunState.open(out, log)) {
            s.checkOptions(first, Iteration.MAY_CHANGE); // the same: fine
            s.checkOptions(Map.of("lr", "0.003", "rounds", "5", "judge", "onnx:a", "seed", "0"), Iteration.MAY_CHANGE);
            assertThat(Files.readString(out.resolve(RunState.OPTIONS_FILE))).contains("\"rounds\" : \"5\"");
            assertThatThrownBy(() -> s.checkOptions(Map.of("lr", "0.01", "rounds", "3", "judge", "onnx:b"),
                    Iteration.MAY_CHANGE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--output " + out + " holds a run started with other options: --judge 'onnx:a' (now "
                            + "'onnx:b'), --lr '0.003' (now '0.01'), --seed '0' (now unset); rerun with the original "
                            + "options to continue it (only --progress, --rounds may change), or use another --output");
        }
    }

    @Test
    void aSecondRunOnTheDirectoryIsRefusedAndLeftoverTemporariesAreSwept() throws Exception {
        Path out = tmp.resolve("run");
        try (RunState s = RunState.open(out, log)) {
            assertThatThrownBy(() -> RunState.open(out, log)).hasMessageContaining(".lock");
            complete(s, 0);
        }
        Files.createDirectories(out.resolve("round-1"));
        Path tmpPairs = Files.writeString(out.resolve("round-1/pairs.jsonl.tmp-123"), "half");
        Path tmpReport = Files.writeString(out.resolve("report.jsonl.tmp-9"), "half");
        Path foreign = Files.writeString(out.resolve("round-1/notes.txt.tmp-1"), "not ours");
        try (RunState s = RunState.open(out, log)) {
            assertThat(tmpPairs).doesNotExist();
            assertThat(tmpReport).doesNotExist();
            assertThat(foreign).exists();
            assertThat(logText.toString()).contains("removed leftover temporary " + tmpPairs);
            s.writeReport(List.of(row(0), row(1)));
            assertThat(Files.readAllLines(out.resolve(RunState.REPORT_FILE)))
                    .containsExactly("{\"round\":0,\"reward_mean\":0.5}", "{\"round\":1,\"reward_mean\":1.5}");
        }
    }
}
