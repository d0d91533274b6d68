package io.dpo4j.train;

import io.dpo4j.data.Batch;
import io.dpo4j.data.Collator;
import io.dpo4j.data.TokenizedPair;
import io.dpo4j.dpo.DpoMetrics;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossInputs;
import io.dpo4j.runtime.Tensor;
import io.dpo4j.runtime.TrainingSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the eval graph over held-out pairs and summarises TRL-named metrics. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * @param session   training session (its eval graph shares the current parameters)
     * @param loss      loss configuration
     * @param pairs     held-out pairs
     * @param ref       {@code [chosen (P), rejected (P)]} reference log-probs aligned with {@code pairs}
     * @param batchSize pairs per eval step
     * @param padId     padding id
     * @param vocabSize V
     * @return TRL-named metrics (loss, rewards/*, logps/*, logits/*)
     */
    public static Map<String, Double> evaluate(TrainingSession session, LossConfig loss, List<TokenizedPair> pairs,
                                               float[][] ref, int batchSize, int padId, int vocabSize) {
        DpoMetrics metrics = new DpoMetrics(loss, vocabSize);
        for (int[] idx : BatchPlan.sequential(pairs.size(), batchSize)) {
            List<TokenizedPair> chunk = select(pairs, idx);
            Batch batch = Collator.collate(chunk, padId);
            LossInputs in = lossInputs(loss, chunk, idx, ref, 1f);
            List<Tensor> feeds = GraphFeeds.forTraining(session.evalInputNames(), batch, in);
            StepOutputs out;
            try {
                out = StepOutputs.run(session, feeds, batch.pairs(), false);
            } finally {
                feeds.forEach(Tensor::close);
            }
            metrics.add(out.loss(), out.logps(), in.refLogps(), out.tokenCounts(), out.logitsSum());
        }
        return metrics.summary();
    }

    /** @return the pairs at {@code idx} */
    static List<TokenizedPair> select(List<TokenizedPair> pairs, int[] idx) {
        List<TokenizedPair> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(pairs.get(i));
        }
        return out;
    }

    /** @return the loss inputs of the pairs at {@code idx}, weights multiplied by {@code scale} */
    static LossInputs lossInputs(LossConfig loss, List<TokenizedPair> chunk, int[] idx, float[][] ref, float scale) {
        int b = idx.length;
        float[] rc = new float[b], rr = new float[b], p = new float[b], w = new float[b]; // (B)
        for (int j = 0; j < b; j++) {
            rc[j] = ref[0][idx[j]];
            rr[j] = ref[1][idx[j]];
            p[j] = (float) chunk.get(j).source().prefProb();
            w[j] = (float) chunk.get(j).source().weight();
        }
        return LossInputs.of(loss, rc, rr, p, w, scale);
    }
}
