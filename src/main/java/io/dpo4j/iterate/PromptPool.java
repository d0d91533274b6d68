package io.dpo4j.iterate;

import io.dpo4j.data.BadRow;
import io.dpo4j.data.PairTokenizer;
import io.dpo4j.data.Prompt;
import io.dpo4j.data.PromptReader;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The training and held-out prompts of a run, tokenized as generation and training see them. Held-out prompts come
 * from their own file, or are a seeded fraction of the prompts file; prompts longer than the training's prompt budget
 * are left out (counted), so every pair is trained on the prompt it was sampled from. Round r (1-based) takes the
 * next {@code promptsPerRound} prompts of a seeded permutation of the training prompts, wrapping around.
 */
final class PromptPool {
    /** A prompt and its token ids (BOS added when the tokenizer asks for it). */
    record Encoded(Prompt prompt, long[] ids) {}

    private final List<Encoded> train;
    private final List<Encoded> eval;
    private final int perRound;

    /** @param train the training prompts, in the order rounds take them (a seeded permutation) */
    private PromptPool(List<Encoded> train, List<Encoded> eval, int perRound) {
        this.train = List.copyOf(train);
        this.eval = List.copyOf(eval);
        this.perRound = perRound;
    }

    /** Reads, splits, tokenizes and filters the prompts; logs what was read, skipped and left out. */
    static PromptPool load(IterateConfig cfg, PairTokenizer tok, PrintWriter log) {
        PromptReader.Result all = read(cfg, cfg.prompts(), log);
        List<Prompt> train = new ArrayList<>(all.prompts());
        List<Prompt> eval;
        if (cfg.evalPrompts() != null) {
            eval = read(cfg, cfg.evalPrompts(), log).prompts();
            Set<String> held = new HashSet<>();
            eval.forEach(p -> held.add(p.text()));
            long overlap = train.stream().filter(p -> held.contains(p.text())).count();
            if (overlap > 0) {
                log.printf("warning: %d of the --prompts are also --eval-prompts (the held-out prompts are trained "
                        + "on)%n", overlap);
            }
        } else {
            List<Prompt> shuffled = new ArrayList<>(train);
            Collections.shuffle(shuffled, new Random(cfg.seed()));
            int n = Math.max(1, (int) Math.round(cfg.evalFraction() * shuffled.size()));
            if (n >= shuffled.size()) {
                throw new IllegalArgumentException("--eval-fraction " + cfg.evalFraction() + ": expected to leave "
                        + "training prompts, found " + shuffled.size() + " prompt(s) in " + cfg.prompts());
            }
            Set<Prompt> held = new HashSet<>(shuffled.subList(0, n));
            eval = train.stream().filter(held::contains).toList(); // file order
            train = train.stream().filter(p -> !held.contains(p)).toList();
        }
        if (cfg.evalMaxPrompts() > 0 && eval.size() > cfg.evalMaxPrompts()) {
            eval = eval.subList(0, cfg.evalMaxPrompts());
        }
        List<Encoded> t = encode(train, tok, cfg, "--prompts", log);
        List<Encoded> e = encode(eval, tok, cfg, cfg.evalPrompts() != null ? "--eval-prompts" : "held-out", log);
        if (t.isEmpty() || e.isEmpty()) {
            throw new IllegalArgumentException("prompts: expected training and held-out prompts, found " + t.size()
                    + " training and " + e.size() + " held-out prompt(s) that fit --max-prompt-length "
                    + cfg.maxPromptLength());
        }
        log.printf("prompts: %d training, %d held-out%n", t.size(), e.size());
        return new PromptPool(permuted(t, cfg.seed()), e, cfg.promptsPerRound() == 0 ? t.size()
                : Math.min(cfg.promptsPerRound(), t.size()));
    }

    private static List<Encoded> permuted(List<Encoded> train, long seed) {
        List<Encoded> p = new ArrayList<>(train);
        Collections.shuffle(p, new Random(seed ^ 0x5DEECE66DL));
        return p;
    }

    private static PromptReader.Result read(IterateConfig cfg, java.nio.file.Path file, PrintWriter log) {
        PromptReader.Result r = PromptReader.read(file, cfg.promptField(), cfg.idField(), cfg.onBadRow(),
                cfg.limits());
        for (BadRow b : r.skipped()) {
            log.println("skipped " + b.message());
        }
        return r;
    }

    private static List<Encoded> encode(List<Prompt> prompts, PairTokenizer tok, IterateConfig cfg, String what,
                                        PrintWriter log) {
        List<Encoded> out = new ArrayList<>();
        int tooLong = 0;
        for (Prompt p : prompts) {
            long[] ids = tok.encodePrompt(p.text());
            if (ids.length > cfg.maxPromptLength() || ids.length == 0) {
                tooLong++;
            } else {
                out.add(new Encoded(p, ids));
            }
        }
        if (tooLong > 0) {
            log.printf("%s: left out %d prompt(s) longer than --max-prompt-length %d tokens%n", what, tooLong,
                    cfg.maxPromptLength());
        }
        return out;
    }

    /** @return the held-out prompts, in file order */
    List<Encoded> eval() {
        return eval;
    }

    /** @return the training prompts of round {@code round} (1-based) */
    List<Encoded> forRound(int round) {
        List<Encoded> out = new ArrayList<>(perRound);
        int start = (int) (((long) (round - 1) * perRound) % train.size());
        for (int i = 0; i < perRound; i++) {
            out.add(train.get((start + i) % train.size()));
        }
        return out;
    }
}
