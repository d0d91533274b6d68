package io.dpo4j.artifacts;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code manifest.json} field {@code lora} of an artifact set whose training graph trains LoRA adapters (Hu et al.
 * 2021) on a frozen base, as {@code tools/export/export.py --lora-r} writes it (tools/CONTRACT.md). The checkpoint's
 * parameters are the adapters; the base weights are external initializers of every graph, stored once in
 * {@link #baseWeightsFile()}; the reference and inference graphs are the base model's.
 *
 * @param r             adapter rank
 * @param alpha         LoRA alpha: each adapter adds {@code (alpha / r) · B A x}
 * @param dropout       dropout on the adapters' input in the training graph
 * @param scaling       {@code alpha / r}
 * @param targetModules PEFT's {@code target_modules}: leaf names of the adapted modules
 * @param adapters      every adapted module, in model order
 * @param baseWeightsFile the file of the set holding the base weights (float32, little-endian)
 * @param baseOffsets   byte offset of every base tensor (manifest {@code parameters}) in that file
 * @param numTrainable  number of adapter values
 */
public record LoraSection(int r, double alpha, double dropout, double scaling, List<String> targetModules,
                          List<Adapter> adapters, String baseWeightsFile, Map<String, Long> baseOffsets,
                          long numTrainable) {
    /** Validates the section; messages name the field. */
    public LoraSection {
        require(r >= 1, "r", "an integer >= 1", String.valueOf(r));
        require(alpha > 0 && Double.isFinite(alpha), "alpha", "a finite number > 0", String.valueOf(alpha));
        require(dropout >= 0 && dropout < 1, "dropout", "a probability in [0, 1)", String.valueOf(dropout));
        require(Math.abs(scaling - alpha / r) <= 1e-12 * Math.max(1, Math.abs(scaling)), "scaling",
                "alpha / r = " + (alpha / r), String.valueOf(scaling));
        require(adapters != null && !adapters.isEmpty(), "adapters", "one entry per adapted module", "none");
        require(baseWeightsFile != null && !baseWeightsFile.isEmpty() && !baseWeightsFile.contains("/")
                && !baseWeightsFile.contains("\\") && !baseWeightsFile.startsWith("."), "base_weights.file",
                "a plain file name of the artifact directory", String.valueOf(baseWeightsFile));
        targetModules = List.copyOf(targetModules);
        adapters = List.copyOf(adapters);
        baseOffsets = Map.copyOf(baseOffsets);
        Set<String> names = new HashSet<>();
        long values = 0;
        for (Adapter a : adapters) {
            require(names.add(a.loraA()) && names.add(a.loraB()), "adapters", "distinct adapter names",
                    "a repeated name in " + a.module());
            require(baseOffsets.containsKey(a.base()), "base_weights.offsets", "an offset for " + a.base(), "none");
            values += (long) r * a.inFeatures() + (long) r * a.outFeatures();
        }
        require(values == numTrainable, "num_trainable", "the adapters' size " + values, String.valueOf(numTrainable));
        for (Map.Entry<String, Long> e : baseOffsets.entrySet()) {
            require(e.getValue() >= 0, "base_weights.offsets." + e.getKey(), "an offset >= 0", String.valueOf(e.getValue()));
        }
    }

    /**
     * One adapted linear layer.
     *
     * @param module      dotted module name, e.g. {@code model.layers.0.self_attn.q_proj}
     * @param base        the frozen weight it adapts ({@code <module>.weight})
     * @param loraA       the trainable A, shape (r, in)
     * @param loraB       the trainable B, shape (out, r)
     * @param inFeatures  input width
     * @param outFeatures output width
     * @param fanInFanOut true when the base weight is stored (in, out) (GPT-2's Conv1D), false for nn.Linear (out, in)
     */
    public record Adapter(String module, String base, String loraA, String loraB, int inFeatures, int outFeatures,
                          boolean fanInFanOut) {
        /** Requires positive widths. */
        public Adapter {
            if (inFeatures <= 0 || outFeatures <= 0) {
                throw new ArtifactException("manifest.json: field 'lora.adapters' entry " + module + ": expected "
                        + "positive in_features / out_features, found " + inFeatures + " / " + outFeatures);
            }
        }

        /** @return the base weight's shape as stored: (in, out) with fan_in_fan_out, else (out, in) */
        public long[] baseShape() {
            return fanInFanOut ? new long[] {inFeatures, outFeatures} : new long[] {outFeatures, inFeatures};
        }
    }

    private static void require(boolean ok, String field, String expected, String found) {
        if (!ok) {
            throw new ArtifactException("manifest.json: field 'lora." + field + "': expected " + expected + ", found "
                    + found);
        }
    }
}
