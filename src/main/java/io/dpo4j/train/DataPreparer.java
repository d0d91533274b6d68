package io.dpo4j.train;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.data.ChatTemplate;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.PreferencePair;
import io.dpo4j.data.PreferenceReader;
import io.dpo4j.data.ReadResult;
import io.dpo4j.data.Split;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.data.TokenizerSpec;
import io.dpo4j.util.Files2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads, validates, splits and tokenizes the preference data of a run, before anything native is created: a bad
 * row stops the run here (or is skipped and reported) and never reaches training.
 */
public final class DataPreparer {
    private DataPreparer() {}

    /** Prepares training data and the held-out split (explicit file or seeded fraction). */
    public static PreparedData prepare(TrainConfig cfg, ArtifactSet art) {
        requireFits(cfg.data(), art);
        ChatTemplate template = template(art);
        List<Path> files = cfg.evalData() == null ? List.of(cfg.trainData()) : List.of(cfg.trainData(), cfg.evalData());
        List<ReadResult> read = PreferenceReader.readAll(files, cfg.data(), template); // one skip report for both
        ReadResult train = read.get(0);
        List<PreferencePair> trainPairs = train.pairs();
        List<PreferencePair> evalPairs;
        int skipped = train.skipped().size();
        String checksum = Files2.sha256(cfg.trainData());
        if (cfg.evalData() != null) {
            ReadResult ev = read.get(1);
            evalPairs = ev.pairs();
            skipped += ev.skipped().size();
            checksum = Files2.sha256((checksum + Files2.sha256(cfg.evalData())).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else {
            Split split = Split.bySeed(trainPairs, cfg.evalFraction(), cfg.seed());
            trainPairs = split.train();
            evalPairs = split.eval();
        }
        try (PairTokenizer tok = new PairTokenizer(art.file("tokenizer.json"), TokenizerSpec.from(art.manifest().specialTokens()), cfg.data())) {
            List<TokenizedPair> t = encodeAll(tok, trainPairs);
            List<TokenizedPair> e = encodeAll(tok, evalPairs);
            String summary = String.format("data: %d train + %d eval pairs (%d bad rows skipped; tokenizer: %s)",
                    t.size(), e.size(), skipped, tok.counters());
            return new PreparedData(t, e, checksum, settings(art, cfg.data()), summary);
        }
    }

    /** Prepares one file as an evaluation set (no split). */
    public static PreparedData prepareSingle(Path file, DataOptions opts, ArtifactSet art) {
        requireFits(opts, art);
        ReadResult r = PreferenceReader.read(file, opts, template(art));
        try (PairTokenizer tok = new PairTokenizer(art.file("tokenizer.json"), TokenizerSpec.from(art.manifest().specialTokens()), opts)) {
            List<TokenizedPair> e = encodeAll(tok, r.pairs());
            String summary = String.format("data: %d pairs (%d bad rows skipped; tokenizer: %s)", e.size(),
                    r.skipped().size(), tok.counters());
            return new PreparedData(List.of(), e, Files2.sha256(file), settings(art, opts), summary);
        }
    }

    /** Sequences longer than the model's positions would fail mid-run; refuse them before anything starts. */
    static void requireFits(DataOptions opts, ArtifactSet art) {
        int positions = art.manifest().maxPositions();
        if (opts.maxLength() > positions) {
            throw new IllegalArgumentException("--max-length " + opts.maxLength() + " exceeds the model's max_positions "
                    + positions + " (" + art.dir().resolve("manifest.json") + "); use --max-length <= " + positions);
        }
    }

    /** @return the artifacts' chat template, or null when they have none */
    public static ChatTemplate template(ArtifactSet art) {
        Path cfg = art.file("tokenizer_config.json");
        return Files.isRegularFile(cfg) ? ChatTemplate.fromTokenizerConfig(cfg) : null;
    }

    private static List<TokenizedPair> encodeAll(PairTokenizer tok, List<PreferencePair> pairs) {
        List<TokenizedPair> out = new ArrayList<>(pairs.size());
        for (PreferencePair p : pairs) {
            tok.encode(p).pair().ifPresent(out::add);
        }
        return out;
    }

    private static String settings(ArtifactSet art, DataOptions opts) {
        return art.checksum("tokenizer.json") + "|" + dataSettings(opts);
    }

    /** @return the data options that decide which pairs are read and how they are tokenized (not report paths) */
    static String dataSettings(DataOptions opts) {
        return opts.fields() + "," + opts.onBadRow() + "," + opts.maxLength() + "," + opts.maxPromptLength() + ","
                + opts.truncationMode() + "," + opts.limits();
    }
}
