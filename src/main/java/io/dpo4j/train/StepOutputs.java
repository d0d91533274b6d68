package io.dpo4j.train;

import io.dpo4j.runtime.Tensor;
import java.util.List;

/**
 * The named outputs of one train or eval step (tools/CONTRACT.md order), copied out of native memory.
 *
 * @param loss        batch loss as the graph computed it (weights included)
 * @param logps       policy log-probs, chosen then rejected  (N)
 * @param tokenCounts completion tokens  (N)
 * @param logitsSum   summed completion logits  (N)
 * @param pairLosses  unweighted per-pair losses  (B)
 */
public record StepOutputs(float loss, float[] logps, float[] tokenCounts, float[] logitsSum, float[] pairLosses) {

    /**
     * Runs a train or eval step with outputs in CPU tensors allocated here (required on CUDA, where ORT would otherwise
     * leave them in device memory) and copies them out.
     *
     * @param pairs B of the batch fed
     */
    public static StepOutputs run(io.dpo4j.runtime.TrainingSession s, List<Tensor> feeds, int pairs, boolean train) {
        long n = 2L * pairs;
        List<Tensor> outs = new java.util.ArrayList<>(5);
        outs.add(Tensor.zerosFloat()); // ()
        outs.add(Tensor.zerosFloat(n)); // (N)
        outs.add(Tensor.zerosFloat(n)); // (N)
        outs.add(Tensor.zerosFloat(n)); // (N)
        outs.add(Tensor.zerosFloat(pairs)); // (B)
        try {
            if (train) {
                s.trainStep(feeds, outs);
            } else {
                s.evalStep(feeds, outs);
            }
        } catch (RuntimeException e) {
            outs.forEach(Tensor::close);
            throw e;
        }
        return from(outs);
    }

    /** Copies the outputs and closes the tensors. */
    public static StepOutputs from(List<Tensor> outputs) {
        try {
            if (outputs.size() < 5) {
                throw new IllegalStateException("step outputs: expected 5 (loss, logps, token_counts, logits_sum, "
                        + "pair_losses), found " + outputs.size());
            }
            return new StepOutputs(outputs.get(0).floatValue(), outputs.get(1).toFloats(), outputs.get(2).toFloats(),
                    outputs.get(3).toFloats(), outputs.get(4).toFloats());
        } finally {
            outputs.forEach(Tensor::close);
        }
    }
}
