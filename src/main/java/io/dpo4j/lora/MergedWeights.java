package io.dpo4j.lora;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.LoraSection;
import io.dpo4j.runtime.TrainingSession;
import java.util.LinkedHashMap;
import java.util.Map;

/** A LoRA session's adapters folded into their base weights ({@link LoraMerge}), one adapted module at a time. */
public final class MergedWeights {
    private MergedWeights() {}

    /**
     * @param art a LoRA artifact set
     * @param s   a session of the set holding the trained adapters
     * @return base weight name → merged weight (base layout), for every adapted module, in model order
     */
    public static Map<String, float[]> of(ArtifactSet art, TrainingSession s) {
        LoraSection lora = BaseWeights.requireLora(art);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (BaseWeights base = BaseWeights.open(art)) {
            for (LoraSection.Adapter a : lora.adapters()) {
                out.put(a.base(), LoraMerge.merge(base.read(a.base()), s.parameter(a.loraA()), s.parameter(a.loraB()),
                        a, lora.r(), lora.scaling()));
            }
        }
        return out;
    }
}
