package io.dpo4j.train;

import io.dpo4j.artifacts.Manifest;
import io.dpo4j.runtime.TrainingSession;
import java.util.List;

/**
 * Decoupled weight decay with Hugging Face Trainer's two parameter groups (as TRL uses them): biases and the weights
 * of LayerNorm / LlamaRMSNorm layers are not decayed, every other tensor is (tools/export/dpo4j_export/decay.py records the
 * group in manifest.json, taken from transformers' own {@code get_decay_parameter_names}).
 *
 * <p>ORT's optimizer graph holds one parameter group, so artifacts with a {@code decay_parameters} list carry AdamW
 * with weight decay 0 and the decay is applied here before each optimizer step, exactly as PyTorch's AdamW does it:
 * {@code p ← p · (1 − lr·wd)}, then the Adam update. Older artifacts baked the decay into the graph for every tensor;
 * for them (and for a decay of 0) this does nothing.
 *
 * @param weightDecay the decay coefficient wd
 * @param parameters  the decayed parameters (empty: nothing to do)
 */
public record WeightDecay(double weightDecay, List<String> parameters) {

    /** Validates and copies. */
    public WeightDecay {
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight_decay: expected a finite value >= 0, found " + weightDecay);
        }
        parameters = List.copyOf(parameters);
    }

    /** @return the runtime decay the artifacts ask for (none when their graph carries it) */
    public static WeightDecay of(Manifest.Optimizer opt) {
        return opt.runtimeDecay() ? new WeightDecay(opt.weightDecay(), opt.decayParameters())
                : new WeightDecay(0, List.of());
    }

    /** Decays the group at learning rate {@code lr}; call right before {@link TrainingSession#optimizerStep()}. */
    public void apply(TrainingSession s, double lr) {
        if (weightDecay > 0 && !parameters.isEmpty()) {
            s.decayParameters(parameters, (float) (1.0 - lr * weightDecay));
        }
    }
}
