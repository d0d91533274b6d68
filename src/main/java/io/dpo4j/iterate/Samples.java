package io.dpo4j.iterate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.data.PairTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows of a round's files and their reading back: completions ({@code generations.jsonl}), scores
 * ({@code scores.jsonl}, null for a skipped candidate), pairs ({@code pairs.jsonl}, a preference file {@code train}
 * reads: id, prompt, chosen, rejected, plus the scores) and the evaluation's samples ({@code eval-samples.jsonl}).
 * Samples are prompt-major: prompt 0's samples 0..k-1, then prompt 1's.
 */
final class Samples {
    private Samples() {}

    /** @return each prompt's token ids */
    static List<long[]> ids(List<PromptPool.Encoded> prompts) {
        return prompts.stream().map(PromptPool.Encoded::ids).toList();
    }

    /** @return each element k times in a row (prompt-major, like the samples) */
    static List<long[]> repeat(List<long[]> items, int k) {
        List<long[]> out = new ArrayList<>(items.size() * k);
        for (long[] x : items) {
            for (int j = 0; j < k; j++) {
                out.add(x);
            }
        }
        return out;
    }

    /** Decodes generated ids (EOS stripped from the text, counted in the tokens). */
    static List<Completion> completions(List<PromptPool.Encoded> prompts, int k, List<long[]> ids,
                                        PairTokenizer tok, int eos) {
        if (ids.size() != prompts.size() * k) {
            throw new IllegalStateException("generation: expected " + prompts.size() * k + " sequences, found "
                    + ids.size());
        }
        List<Completion> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            long[] g = ids.get(i);
            boolean ended = g.length > 0 && g[g.length - 1] == eos;
            String text = tok.decode(ended ? Arrays.copyOf(g, g.length - 1) : g);
            PromptPool.Encoded p = prompts.get(i / k);
            out.add(new Completion(p.prompt().id(), p.prompt().text(), i % k, text, g.length, ended));
        }
        return out;
    }

    static ObjectNode json(Completion c) {
        return Jsonl.JSON.valueToTree(c);
    }

    /**
     * Reads {@code generations.jsonl} of an interrupted round back.
     *
     * @throws IllegalStateException when it does not hold {@code k} samples of each of the round's prompts, in order
     */
    static List<Completion> readCompletions(Path file, List<PromptPool.Encoded> prompts, int k) {
        List<ObjectNode> rows = Jsonl.read(file);
        if (rows.size() != prompts.size() * k) {
            throw new IllegalStateException(file + ": expected " + prompts.size() * k + " completions (" + prompts.size()
                    + " prompts x " + k + "), found " + rows.size() + "; delete the file to sample again");
        }
        List<Completion> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Completion c;
            try {
                c = Jsonl.JSON.treeToValue(rows.get(i), Completion.class);
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": expected a completion record, found "
                        + e.getMessage(), e);
            }
            PromptPool.Encoded p = prompts.get(i / k);
            if (!c.promptId().equals(p.prompt().id()) || c.sample() != i % k || !c.prompt().equals(p.prompt().text())) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": expected sample " + i % k + " of prompt '"
                        + p.prompt().id() + "', found sample " + c.sample() + " of '" + c.promptId()
                        + "'; delete the file to sample again");
            }
            out.add(c);
        }
        return out;
    }

    /** @return one {@code scores.jsonl} row per completion */
    static List<ObjectNode> scoreRows(List<Completion> gens, double[] scores) {
        List<ObjectNode> out = new ArrayList<>(gens.size());
        for (int i = 0; i < gens.size(); i++) {
            ObjectNode n = Jsonl.JSON.createObjectNode();
            n.put("prompt_id", gens.get(i).promptId());
            n.put("sample", gens.get(i).sample());
            n.put("score", Jsonl.finite(scores[i]));
            out.add(n);
        }
        return out;
    }

    /** Reads {@code scores.jsonl} back, checking it is aligned with the completions. */
    static double[] readScores(Path file, List<Completion> gens) {
        List<ObjectNode> rows = Jsonl.read(file);
        if (rows.size() != gens.size()) {
            throw new IllegalStateException(file + ": expected " + gens.size() + " scores, found " + rows.size()
                    + "; delete the file to judge again");
        }
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode r = rows.get(i);
            if (!gens.get(i).promptId().equals(r.path("prompt_id").asText()) || gens.get(i).sample() != r.path("sample")
                    .asInt(-1) || !r.has("score") || !(r.get("score").isNumber() || r.get("score").isNull())) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": expected the score of sample "
                        + gens.get(i).sample() + " of prompt '" + gens.get(i).promptId() + "', found " + r
                        + "; delete the file to judge again");
            }
            out[i] = Jsonl.number(r, "score");
        }
        return out;
    }

    /** @return the completions grouped per prompt (k each) */
    static List<List<Completion>> byPrompt(List<Completion> gens, int k) {
        List<List<Completion>> out = new ArrayList<>();
        for (int i = 0; i < gens.size(); i += k) {
            out.add(gens.subList(i, i + k));
        }
        return out;
    }

    /** @return the scores grouped per prompt (k each) */
    static List<double[]> byPrompt(double[] scores, int k) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < scores.length; i += k) {
            out.add(Arrays.copyOfRange(scores, i, i + k));
        }
        return out;
    }

    /** @return the {@code pairs.jsonl} rows: a preference file (id, prompt, chosen, rejected) with the scores */
    static List<ObjectNode> pairRows(int round, List<PairSelection.Choice> pairs) {
        List<ObjectNode> out = new ArrayList<>(pairs.size());
        for (PairSelection.Choice c : pairs) {
            ObjectNode n = Jsonl.JSON.createObjectNode();
            n.put("id", "round-" + round + "/" + c.chosen().promptId());
            n.put("prompt", c.chosen().prompt());
            n.put("chosen", c.chosen().completion());
            n.put("rejected", c.rejected().completion());
            n.put("chosen_score", c.chosenScore());
            n.put("rejected_score", c.rejectedScore());
            n.put("margin", c.margin());
            n.put("chosen_sample", c.chosen().sample());
            n.put("rejected_sample", c.rejected().sample());
            out.add(n);
        }
        return out;
    }

    /** @return the {@code eval-samples.jsonl} rows: each sample with its score and both log-probs */
    static List<ObjectNode> evalRows(List<Completion> samples, double[] scores, double[] logp, double[] refLogp) {
        List<ObjectNode> out = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            ObjectNode n = json(samples.get(i));
            n.put("score", Jsonl.finite(scores[i]));
            n.put("logp", logp[i]);
            n.put("ref_logp", refLogp[i]);
            out.add(n);
        }
        return out;
    }

    /**
     * @return the score of sample 0 of each held-out prompt in round 0's {@code eval-samples.jsonl} (NaN for a
     *     skipped one), aligned with {@code prompts}
     */
    static double[] firstSampleScores(Path file, List<PromptPool.Encoded> prompts, int k) {
        List<ObjectNode> rows = Jsonl.read(file);
        if (rows.size() != prompts.size() * k) {
            throw new IllegalStateException(file + ": expected " + prompts.size() * k + " samples of the start model, "
                    + "found " + rows.size());
        }
        double[] out = new double[prompts.size()];
        for (int p = 0; p < prompts.size(); p++) {
            JsonNode r = rows.get(p * k);
            if (!prompts.get(p).prompt().id().equals(r.path("prompt_id").asText()) || r.path("sample").asInt(-1) != 0) {
                throw new IllegalStateException(file + ":" + (p * k + 1) + ": expected sample 0 of held-out prompt '"
                        + prompts.get(p).prompt().id() + "', found " + r.path("prompt_id") + " sample "
                        + r.path("sample"));
            }
            out[p] = Jsonl.number(r, "score");
        }
        return out;
    }
}
