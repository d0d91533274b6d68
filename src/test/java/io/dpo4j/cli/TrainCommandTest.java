package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to {@code train} fails before training, with a message naming the problem. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String err) {}

    private Run train(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 3];
        all[0] = "train";
        all[1] = "--output=" + tmp.resolve("out");
        all[2] = "--cache-dir=" + tmp.resolve("cache");
        System.arraycopy(args, 0, all, 3, args.length);
        int code = cl.execute(all);
        return new Run(code, err.toString());
    }

    @Test
    void unknownLossVariantListsValidOnes() {
        Run r = train("--loss", "dpop");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("unknown loss variant 'dpop'").contains("sigmoid, robust, hinge, ipo, simpo");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void nonPositiveBetaIsRejected() {
        Run r = train("--beta", "0");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("beta").contains("> 0").contains("found 0.0");
    }

    @Test
    void missingArtifactsAreNamed() {
        Run r = train("--artifacts", tmp.resolve("none").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("artifact directory").contains("does not exist");
    }

    @Test
    void missingDataFileIsNamed() {
        Run r = train("--data", tmp.resolve("prefs.jsonl").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("prefs.jsonl");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void badRowStopsBeforeTrainingWithFileLineAndField() throws Exception {
        Path data = tmp.resolve("prefs.jsonl");
        Files.writeString(data, "{\"prompt\":\"a\",\"chosen\":\"b\",\"rejected\":\"c\"}\n"
                + "{\"prompt\":\"a\",\"chosen\":\"b\"}\n");
        Run r = train("--data", data.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("prefs.jsonl:2").contains("rejected");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void maxLengthBeyondTheModelsPositionsIsRefused() {
        Run r = train("--max-length", "512", "--max-prompt-length", "64");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--max-length 512 exceeds the model's max_positions 256");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void retentionOptionsAreValidated() {
        Run r = train("--save-total-limit", "-1");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--save-total-limit: expected >= 0 (0 = keep all), found -1");
        r = train("--save-best", "--save-every", "10", "--eval-every", "4");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--save-best: expected --save-every a multiple of --eval-every")
                .contains("found --save-every 10, --eval-every 4");
        r = train("--save-best", "--data", "artifacts/datasets/imdb-pref/train.jsonl", "--eval-fraction", "0");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--save-best: expected held-out pairs");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
