package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.data.BadRow;
import io.dpo4j.data.ChatTemplate;
import io.dpo4j.data.Counters;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.EncodeResult;
import io.dpo4j.data.InputFormat;
import io.dpo4j.data.LengthHistogram;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.PreferencePair;
import io.dpo4j.data.PreferenceReader;
import io.dpo4j.data.ReadResult;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.data.TokenizerSpec;
import io.dpo4j.train.DataPreparer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dpo4j data ...}: inspect preference data. */
@Command(name = "data", mixinStandardHelpOptions = true, subcommands = {DataCommand.Stats.class},
        description = "Inspect preference data (see 'data stats').")
public final class DataCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code dpo4j data stats}: counts, token-length histograms, truncation, drops, boundary merges, duplicates. */
    @Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Read a preference file, tokenize it like training does and print row counts, token-length "
                    + "histograms (prompt / chosen / rejected), truncation and drop counts, prompt/completion "
                    + "boundary merges and duplicate pairs.",
            footer = {"", "Examples:",
                "  dpo4j data stats --data prefs.jsonl --artifacts artifacts/tiny-gpt2",
                "  dpo4j data stats --data chats.jsonl --artifacts artifacts/tiny-llama \\",
                "      --max-length 256 --truncation-mode keep_start",
                "  dpo4j data stats --data prefs.csv --artifacts artifacts/tiny-gpt2 \\",
                "      --chosen-field good --rejected-field bad \\",
                "      --on-bad-row skip --skip-report skipped.jsonl"})
    public static final class Stats implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "FILE",
                description = "Preference file: .jsonl/.ndjson, .json (array), .csv or .tsv (required).")
        Path data;

        @Option(names = "--format", paramLabel = "FORMAT",
                description = "jsonl, json, csv or tsv. Default: from the file extension.")
        String format;

        @Option(names = "--artifacts", paramLabel = "DIR", defaultValue = EmbeddedDefault.ARTIFACTS,
                description = "Artifact directory with tokenizer.json, manifest.json and optional "
                        + "tokenizer_config.json. Default: ${DEFAULT-VALUE}.")
        Path artifacts;

        @Mixin
        DataOptionsMixin dataOptions;

        @Override
        public Integer call() {
            DataOptions opts = dataOptions.toOptions();
            ArtifactSet art = ArtifactSet.load(artifacts);
            ChatTemplate template = DataPreparer.template(art);
            ReadResult read = format == null ? PreferenceReader.read(data, opts, template)
                    : PreferenceReader.read(data, InputFormat.parse(format), opts, template);
            TokenizerSpec tokens = TokenizerSpec.from(art.manifest().specialTokens());
            try (PairTokenizer tok = new PairTokenizer(art.file("tokenizer.json"), tokens, opts)) {
                report(spec.commandLine().getOut(), read, tok, opts);
            }
            return 0;
        }

        private void report(PrintWriter out, ReadResult read, PairTokenizer tok, DataOptions opts) {
            LengthHistogram prompt = new LengthHistogram("prompt");
            LengthHistogram chosen = new LengthHistogram("chosen");
            LengthHistogram rejected = new LengthHistogram("rejected");
            Set<List<String>> seen = new HashSet<>();
            int duplicates = 0;
            for (PreferencePair p : read.pairs()) {
                if (!seen.add(List.of(p.prompt(), p.chosen(), p.rejected()))) {
                    duplicates++;
                }
                EncodeResult r = tok.encode(p);
                if (r.kept()) {
                    TokenizedPair t = r.tokenized();
                    prompt.add(t.promptIds().length);
                    chosen.add(t.chosenIds().length);
                    rejected.add(t.rejectedIds().length);
                }
            }
            Counters c = tok.counters();
            out.printf(Locale.ROOT, "file: %s%n", data);
            out.printf(Locale.ROOT, "rows: %d read, %d usable, %d skipped%n", read.pairs().size() + read.skipped().size(),
                    read.pairs().size(), read.skipped().size());
            printSkipReasons(out, read.skipped());
            out.printf(Locale.ROOT, "pairs: %d kept, %d dropped (completion empty, or chosen = rejected, after truncation)%n", c.kept(), c.dropped());
            out.printf(Locale.ROOT, "truncated: prompt %d, chosen %d, rejected %d (max length %d, max prompt length %d, %s)%n",
                    c.promptTruncated(), c.chosenTruncated(), c.rejectedTruncated(), opts.maxLength(),
                    opts.maxPromptLength(), opts.truncationMode().name().toLowerCase(Locale.ROOT));
            out.printf(Locale.ROOT, "boundary merges: %d completions tokenized separately from their prompt%n",
                    c.boundaryMerges());
            out.printf(Locale.ROOT, "duplicate pairs: %d%n", duplicates);
            out.print(prompt.render());
            out.print(chosen.render());
            out.print(rejected.render());
            out.flush();
        }

        private static void printSkipReasons(PrintWriter out, List<BadRow> skipped) {
            Map<String, Integer> byField = new TreeMap<>();
            for (BadRow b : skipped) {
                byField.merge(b.field(), 1, Integer::sum);
            }
            byField.forEach((field, n) -> out.printf(Locale.ROOT, "  skipped for field %s: %d%n", field, n));
            skipped.stream().limit(5).forEach(b -> out.println("  e.g. " + b.message()));
        }
    }
}
