package io.dpo4j.iterate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.data.DataOptions;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.TokenizerSpec;
import io.dpo4j.generate.StopStrings;
import io.dpo4j.judge.Candidate;
import io.dpo4j.judge.Judge;
import io.dpo4j.judge.JudgeException;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.train.CheckpointStore;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Iterative (online) DPO: round 0 evaluates the start model; each round r ≥ 1 samples completions of its training
 * prompts from the current policy, scores them with the judge, pairs each prompt's best and worst sample
 * ({@link PairSelection}), trains on the pairs ({@link RoundTrainer}: policy from the previous round's checkpoint,
 * reference per {@link ReferenceMode}) and evaluates the new policy on the held-out prompts ({@link #evaluate}).
 * Everything a round produced is kept in {@code <output>/round-N/} as JSONL (generations, scores, pairs, the
 * evaluation's samples) and its training run in {@code round-N/train/}; {@code report.jsonl} has one row per
 * completed round. A run killed at any point continues at its first incomplete round ({@link RunState}); within
 * that round, generations and scores already written are reused (a judge need not score twice), the training is
 * redone unless it finished ({@code trained.json}), and the evaluation is redone.
 */
public final class Iteration {
    /** Options that may differ when a run is continued: the number of rounds (to extend it) and the progress bar. */
    public static final Set<String> MAY_CHANGE = Set.of("rounds", "progress");
    /** Seed offset of the evaluation's samples (the same in every round, so rounds differ only by their policy). */
    static final long EVAL_SEED_OFFSET = 7_919L * 1_000_003L;
    /** Candidates per judge call (a failing call under retry/skip is rescored one by one). */
    static final int JUDGE_CHUNK = 64;

    static final String GENERATIONS = "generations.jsonl";
    static final String SCORES = "scores.jsonl";
    static final String PAIRS = "pairs.jsonl";
    static final String TRAINED = "trained.json";
    static final String EVAL_SAMPLES = "eval-samples.jsonl";
    static final String TRAIN_DIR = "train";
    static final String TRAIN_LOG = "train.log";

    private final IterateConfig cfg;
    private final Judge judge;
    private final RoundTrainer trainer;
    private final Map<String, String> options;
    private final PrintWriter log;

    /**
     * @param cfg     the run's settings
     * @param judge   the judge (the caller opens and closes it)
     * @param trainer trains each round
     * @param options the run's options as text, recorded in {@code iterate.json} and compared on a rerun
     * @param log     progress lines (standard error in the CLI), flushed after each
     */
    public Iteration(IterateConfig cfg, Judge judge, RoundTrainer trainer, Map<String, String> options,
                     PrintWriter log) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.judge = Objects.requireNonNull(judge, "judge");
        this.trainer = Objects.requireNonNull(trainer, "trainer");
        this.options = Map.copyOf(options);
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Runs (or continues) rounds 0..{@code rounds}.
     *
     * @return the report rows of rounds 0..rounds, as written to {@code report.jsonl}
     */
    public List<ObjectNode> run() {
        return run(() -> { });
    }

    /**
     * As {@link #run()}, calling {@code onStart} once the run directory is locked and the options are checked against
     * the run's (e.g. to write the effective configuration there), before any prompt is read.
     */
    public List<ObjectNode> run(Runnable onStart) {
        requireInputsOutside(cfg.output());
        ArtifactSet art = ArtifactSet.load(cfg.artifacts());
        TokenizerSpec spec = TokenizerSpec.from(art.manifest().specialTokens());
        try (RunState state = RunState.open(cfg.output(), log);
             PairTokenizer tok = new PairTokenizer(art.file("tokenizer.json"), spec, DataOptions.defaults())) {
            state.checkOptions(options, MAY_CHANGE);
            onStart.run();
            PromptPool pool = PromptPool.load(cfg, tok, log);
            int first = state.firstIncomplete(cfg.rounds());
            if (first <= cfg.rounds()) {
                for (Path p : state.discardAfter(first)) {
                    log.println("removed " + p + " (it came after the incomplete round " + first + ")");
                }
            }
            if (first > 0) {
                log.printf("rounds 0..%d complete in %s; %s%n", Math.min(first, cfg.rounds() + 1) - 1, cfg.output(),
                        first > cfg.rounds() ? "nothing to run" : "continuing at round " + first);
            }
            List<ObjectNode> rows = new ArrayList<>();
            for (int r = 0; r < Math.min(first, cfg.rounds() + 1); r++) {
                rows.add((ObjectNode) state.marker(r).get("report"));
            }
            try (OrtEnvironment env = OrtEnvironment.create("dpo4j-iterate")) {
                Rounds rounds = new Rounds(state, art, tok, env, pool);
                for (int r = first; r <= cfg.rounds(); r++) {
                    rows.add(r == 0 ? rounds.zero() : rounds.round(r));
                    state.writeReport(rows);
                }
            }
            state.writeReport(rows);
            return rows;
        }
    }

    /** The rounds of one run over an open environment. */
    private final class Rounds {
        private final RunState state;
        private final ArtifactSet art;
        private final PairTokenizer tok;
        private final OrtEnvironment env;
        private final PromptPool pool;
        private final StopStrings stop;

        Rounds(RunState state, ArtifactSet art, PairTokenizer tok, OrtEnvironment env, PromptPool pool) {
            this.state = state;
            this.art = art;
            this.tok = tok;
            this.env = env;
            this.pool = pool;
            this.stop = new StopStrings(cfg.sampling().stopStrings(), tok::decode);
        }

        private PolicyModel policy(Path checkpoint) {
            return new PolicyModel(env, cfg.session(), art, checkpoint);
        }

        /** Round 0: the start model's evaluation, the baseline of every later round. */
        ObjectNode zero() {
            long t0 = System.nanoTime();
            Path dir = mkdirs(state.roundDir(0));
            log.println("round 0: evaluating the start model");
            ObjectNode row = Jsonl.JSON.createObjectNode();
            row.put("round", 0);
            row.put("policy", "start");
            evaluate(0, policy(null), null, dir, row);
            row.put("seconds", secondsSince(t0));
            state.complete(0, List.of(EVAL_SAMPLES), null, row);
            log.println(summary(row));
            return row;
        }

        /** Round r ≥ 1: generate, judge, pair, train, evaluate. */
        ObjectNode round(int r) {
            long t0 = System.nanoTime();
            Path dir = mkdirs(state.roundDir(r));
            Path prev = state.checkpointOf(r - 1);
            Path reference = cfg.reference() == ReferenceMode.FIXED ? null : prev;
            ObjectNode row = Jsonl.JSON.createObjectNode();
            row.put("round", r);
            List<PromptPool.Encoded> prompts = pool.forRound(r);
            int k = cfg.samplesPerPrompt();

            long t = System.nanoTime();
            Path genFile = dir.resolve(GENERATIONS);
            List<Completion> gens;
            if (Files.isRegularFile(genFile)) {
                gens = Samples.readCompletions(genFile, prompts, k);
                log.printf("round %d: reusing %d completions of %s%n", r, gens.size(), genFile);
            } else {
                List<long[]> ids = policy(prev).generate(Samples.ids(prompts), cfg.sampling(k, roundSeed(r)), stop);
                gens = Samples.completions(prompts, k, ids, tok, art.manifest().specialTokens().eos());
                Jsonl.write(genFile, gens.stream().map(Samples::json).toList());
                log.printf("round %d: sampled %d completions (%d prompts x %d) in %.1f s%n", r, gens.size(),
                        prompts.size(), k, secondsSince(t));
            }
            row.put("seconds_generate", secondsSince(t));

            t = System.nanoTime();
            Path scoreFile = dir.resolve(SCORES);
            double[] scores;
            if (Files.isRegularFile(scoreFile)) {
                scores = Samples.readScores(scoreFile, gens);
                log.printf("round %d: reusing the scores of %s%n", r, scoreFile);
            } else {
                scores = judgeAll(gens);
                Jsonl.write(scoreFile, Samples.scoreRows(gens, scores));
            }
            row.put("seconds_judge", secondsSince(t));

            List<PairSelection.Choice> choices = new ArrayList<>();
            PairSelection.Stats stats = PairSelection.selectAll(Samples.byPrompt(gens, k), Samples.byPrompt(scores, k),
                    cfg.minMargin(), choices);
            List<PairSelection.Choice> pairs = PairSelection.pairsOf(choices);
            Jsonl.write(dir.resolve(PAIRS), Samples.pairRows(r, pairs));
            putSelection(row, stats, pairs, gens.size());
            log.printf("round %d: %d pairs from %d prompts (%d ties, %d below --min-margin, %d with < 2 scored "
                    + "samples; %d samples unscored, %d blank)%n", r, stats.pairs(), stats.prompts(), stats.ties(),
                    stats.belowMargin(), stats.tooFewScored(), stats.unscored(), stats.blank());

            t = System.nanoTime();
            Trained trained = train(r, dir, pairs.size(), prev, reference);
            row.put("seconds_train", secondsSince(t));
            row.put("policy", trained.checkpoint == null ? "start" : relative(trained.checkpoint));
            row.put("reference", reference == null ? "start" : relative(reference));
            row.put("trained", trained.trained);
            row.put("train_steps", trained.steps);
            row.put("train_last_loss", Jsonl.finite(trained.lastLoss));

            evaluate(r, policy(trained.checkpoint), startSampleScores(), dir, row);
            row.put("seconds", secondsSince(t0));
            state.complete(r, List.of(GENERATIONS, SCORES, PAIRS, TRAINED, EVAL_SAMPLES),
                    trained.checkpoint == null ? null : relative(trained.checkpoint), row);
            log.println(summary(row));
            return row;
        }

        /** The round's training, or the finished one a killed run recorded in trained.json. */
        private Trained train(int r, Path dir, int pairs, Path prev, Path reference) {
            Path marker = dir.resolve(TRAINED);
            if (Files.isRegularFile(marker)) {
                Trained done = Trained.read(marker, state.output());
                if (done.checkpoint == null || done.checkpoint.equals(prev) || verifies(done.checkpoint)) {
                    log.printf("round %d: reusing the finished training of %s%n", r, marker);
                    return done;
                }
            }
            Path trainDir = dir.resolve(TRAIN_DIR);
            Files2.deleteTree(trainDir); // an interrupted training of this round: redone from its start
            Trained out;
            if (pairs == 0) {
                log.printf("round %d: no pairs, so no training; the policy stays %s%n", r,
                        prev == null ? "the start model" : prev);
                out = new Trained(prev, false, 0, Double.NaN);
            } else {
                long t = System.nanoTime();
                try (PrintStream trainLog = new PrintStream(Files.newOutputStream(dir.resolve(TRAIN_LOG)), true,
                        StandardCharsets.UTF_8)) {
                    RoundTrainer.Trained t1 = trainer.train(new RoundTrainer.Request(r, dir.resolve(PAIRS), pairs,
                            trainDir, prev, reference, cfg.seed() + r, trainLog));
                    out = new Trained(t1.checkpoint(), true, t1.steps(), t1.lastLoss());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + dir.resolve(TRAIN_LOG) + ": " + IoReason.of(e), e);
                }
                log.printf("round %d: trained %d steps on %d pairs in %.1f s (last loss %.4f; log %s)%n", r,
                        out.steps, pairs, secondsSince(t), out.lastLoss, dir.resolve(TRAIN_LOG));
            }
            out.write(marker, state.output());
            return out;
        }

        private boolean verifies(Path checkpoint) {
            try {
                CheckpointStore.load(checkpoint);
                return true;
            } catch (RuntimeException e) {
                log.println("round training to redo: " + e.getMessage());
                return false;
            }
        }

        /** Sample-0 judge scores of the start model on the held-out prompts (round 0's evaluation). */
        private double[] startSampleScores() {
            return Samples.firstSampleScores(state.roundDir(0).resolve(EVAL_SAMPLES), pool.eval(), cfg.evalSamples());
        }

        /**
         * Samples the held-out prompts with {@code policy}, judges the samples and measures them: reward, length,
         * KL to the start model, win rate against the start model's samples.
         *
         * @param startScores round 0's sample-0 scores, or null in round 0 (the policy is the start model)
         */
        private void evaluate(int r, PolicyModel policy, double[] startScores, Path dir, ObjectNode row) {
            long t = System.nanoTime();
            List<PromptPool.Encoded> prompts = pool.eval();
            int k = cfg.evalSamples();
            List<long[]> promptIds = Samples.ids(prompts);
            List<long[]> ids = policy.generate(promptIds, cfg.sampling(k, cfg.seed() + EVAL_SEED_OFFSET), stop);
            List<Completion> samples = Samples.completions(prompts, k, ids, tok, art.manifest().specialTokens().eos());
            double[] scores = judgeAll(samples);
            List<long[]> repeated = Samples.repeat(promptIds, k);
            double[] logp = policy.logProbs(repeated, ids);
            double[] refLogp = policy.checkpoint() == null ? logp : policy(null).logProbs(repeated, ids);
            Jsonl.write(dir.resolve(EVAL_SAMPLES), Samples.evalRows(samples, scores, logp, refLogp));

            double[] first = Samples.byPrompt(scores, k).stream().mapToDouble(s -> s[0]).toArray();
            EvalMath.WinRate win = EvalMath.winRate(first, startScores == null ? first : startScores);
            int[] tokens = samples.stream().mapToInt(Completion::tokens).toArray();
            EvalMath.Lengths len = EvalMath.lengths(tokens, cfg.sampling().maxNewTokens());
            row.put("eval_prompts", prompts.size());
            row.put("eval_samples", samples.size());
            row.put("eval_unscored", (int) java.util.Arrays.stream(scores).filter(Double::isNaN).count());
            row.put("reward_mean", Jsonl.finite(EvalMath.mean(scores)));
            row.put("reward_median", Jsonl.finite(EvalMath.median(scores)));
            row.put("length_mean", len.mean());
            row.put("length_min", len.min());
            row.put("length_p10", len.p10());
            row.put("length_p50", len.p50());
            row.put("length_p90", len.p90());
            row.put("length_max", len.max());
            row.put("length_bin_width", len.binWidth());
            ArrayNode hist = row.putArray("length_histogram");
            for (int c : len.histogram()) {
                hist.add(c);
            }
            row.put("eos_fraction", (double) samples.stream().filter(Completion::eos).count() / samples.size());
            if (cfg.lengthTarget() != null) {
                row.put("length_target", cfg.lengthTarget());
                row.put("length_band", cfg.lengthBand());
                row.put("length_in_band", EvalMath.fractionInBand(tokens, cfg.lengthTarget(), cfg.lengthBand()));
            }
            row.put("kl", EvalMath.klEstimate(logp, refLogp));
            row.put("win_rate", Jsonl.finite(win.rate()));
            row.put("wins", win.wins());
            row.put("win_ties", win.ties());
            row.put("losses", win.losses());
            row.put("seconds_eval", secondsSince(t));
        }

        /** Judges every completion under the failure policy: NaN for a skipped one. */
        private double[] judgeAll(List<Completion> samples) {
            double[] out = new double[samples.size()];
            for (int from = 0; from < out.length; from += JUDGE_CHUNK) {
                int to = Math.min(out.length, from + JUDGE_CHUNK);
                List<Candidate> cands = samples.subList(from, to).stream()
                        .map(c -> new Candidate(c.prompt(), c.completion(), c.tokens())).toList();
                double[] s;
                try {
                    s = cfg.judgeFailures().scoreAll(judge, cands, w -> log.println("warning: " + w));
                } catch (JudgeException e) {
                    throw new IllegalStateException(e.getMessage() + " (--judge-failures " + cfg.judgeFailures()
                            + "; skip or retry:N,skip go on without such candidates)", e);
                }
                System.arraycopy(s, 0, out, from, s.length);
            }
            return out;
        }

        private String relative(Path p) {
            return state.output().toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()).toString();
        }
    }

    /** The run writes only under {@code output}: no input may lie there (nor be it). */
    private void requireInputsOutside(Path output) {
        Path out = output.toAbsolutePath().normalize();
        List<String[]> inputs = new ArrayList<>();
        inputs.add(new String[] {"--artifacts", cfg.artifacts().toString()});
        inputs.add(new String[] {"--prompts", cfg.prompts().toString()});
        if (cfg.evalPrompts() != null) {
            inputs.add(new String[] {"--eval-prompts", cfg.evalPrompts().toString()});
        }
        for (String[] in : inputs) {
            Path p = Path.of(in[1]).toAbsolutePath().normalize();
            if (p.startsWith(out) || out.startsWith(p) && Files.isDirectory(p)) {
                throw new IllegalArgumentException("--output " + output + " and " + in[0] + " " + in[1]
                        + ": expected the run directory apart from its inputs, found one inside the other");
            }
        }
    }

    /** Seed of round r's training samples. */
    static long roundSeed(long seed, int round) {
        return seed + 1_000_003L * round;
    }

    private long roundSeed(int round) {
        return roundSeed(cfg.seed(), round);
    }

    private static void putSelection(ObjectNode row, PairSelection.Stats s, List<PairSelection.Choice> pairs,
                                     int samples) {
        row.put("prompts", s.prompts());
        row.put("samples", samples);
        row.put("unscored", s.unscored());
        row.put("blank", s.blank());
        row.put("pairs", s.pairs());
        row.put("pair_ties", s.ties());
        row.put("below_margin", s.belowMargin());
        row.put("too_few_scored", s.tooFewScored());
        row.put("margin_mean", Jsonl.finite(pairs.stream().mapToDouble(PairSelection.Choice::margin).average()
                .orElse(Double.NaN)));
    }

    /** One line per round for the log. */
    static String summary(ObjectNode row) {
        return String.format(java.util.Locale.ROOT, "round %d: held-out reward mean %.4f, median %.4f, length %.1f, "
                        + "KL %.3f, win rate %.3f (%.1f s)", row.get("round").asInt(), Jsonl.number(row, "reward_mean"),
                Jsonl.number(row, "reward_median"), Jsonl.number(row, "length_mean"), Jsonl.number(row, "kl"),
                Jsonl.number(row, "win_rate"), Jsonl.number(row, "seconds"));
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + IoReason.of(e), e);
        }
    }

    private static double secondsSince(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
    }

    /** {@code trained.json}: a round's finished training (or that it had no pairs to train on). */
    private record Trained(Path checkpoint, boolean trained, long steps, double lastLoss) {
        void write(Path file, Path output) {
            ObjectNode n = Jsonl.JSON.createObjectNode();
            n.put("checkpoint", checkpoint == null ? null
                    : output.toAbsolutePath().normalize().relativize(checkpoint.toAbsolutePath().normalize()).toString());
            n.put("trained", trained);
            n.put("steps", steps);
            n.put("last_loss", Jsonl.finite(lastLoss));
            Jsonl.writeObject(file, n);
        }

        static Trained read(Path file, Path output) {
            ObjectNode n = Jsonl.readObject(file);
            var c = n.get("checkpoint");
            return new Trained(c == null || c.isNull() ? null : output.resolve(c.asText()), n.path("trained").asBoolean(),
                    n.path("steps").asLong(), Jsonl.number(n, "last_loss"));
        }
    }

    /** @return a writer that discards everything (for callers without a log) */
    public static PrintWriter quiet() {
        return new PrintWriter(java.io.Writer.nullWriter());
    }
}
