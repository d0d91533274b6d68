package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.cli.Main;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.data.TokenizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversational rows go through tiny-llama's Llama-2-chat template into training, end to end. */
class ConversationalTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void conversationalDataIsRenderedAndTrains() throws Exception {
        Path data = tmp.resolve("chats.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            rows.append("{\"prompt\": [{\"role\": \"user\", \"content\": \"Is film ").append(i)
                    .append(" good?\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"Yes, it is wonderful.\"}],")
                    .append(" \"rejected\": [{\"role\": \"assistant\", \"content\": \"No, it is awful.\"}]}\n");
        }
        Files.writeString(data, rows);
        ArtifactSet art = ArtifactSet.load(Path.of("artifacts/tiny-llama"));
        PreparedData d = DataPreparer.prepareSingle(data, DataOptions.defaults().withLengths(128, 64), art);
        assertThat(d.eval()).hasSize(12);
        TokenizedPair p = d.eval().get(0);
        try (PairTokenizer tok = new PairTokenizer(art.file("tokenizer.json"), TokenizerSpec.from(art.manifest().specialTokens()),
                DataOptions.defaults())) {
            assertThat(tok.decode(p.promptIds())).startsWith("<s>").endsWith("[INST] Is film 0 good? [/INST]");
            assertThat(tok.decode(p.chosenIds())).contains("Yes, it is wonderful.").endsWith("</s>");
            assertThat(p.promptIds()).containsOnlyOnce(1L); // BOS once, from the template
        }
        int code = Main.commandLine().execute("train", "--artifacts", "artifacts/tiny-llama", "--data", data.toString(),
                "--eval-fraction", "0.25", "--batch-size", "2", "--max-steps", "3", "--output",
                tmp.resolve("run").toString(), "--cache-dir", tmp.resolve("cache").toString(), "--no-progress");
        assertThat(code).isZero();
        assertThat(tmp.resolve("run/checkpoints/step-000003/trainer_state.json")).exists();
    }
}
