package io.dpo4j.cli;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.train.CheckpointStore;
import io.dpo4j.train.DataPreparer;
import io.dpo4j.train.Evaluator;
import io.dpo4j.train.GraphFeeds;
import io.dpo4j.train.PreparedData;
import io.dpo4j.train.ReferencePass;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.TrainingSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dpo4j eval}: TRL-named preference metrics of a checkpoint (or the starting weights) on a data file. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate the starting weights or a training checkpoint on preference pairs; prints JSON metrics.",
        footer = {"", "Examples:",
                "  dpo4j eval --data artifacts/datasets/imdb-pref/eval.jsonl",
                "  dpo4j eval --checkpoint runs/dpo/checkpoints/step-000150 --data eval.jsonl --loss ipo --beta 0.5"})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory. Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--checkpoint", description = "Checkpoint directory written by train; default: the artifacts' "
            + "starting weights.")
    Path checkpoint;

    @Option(names = "--data", defaultValue = EmbeddedDefault.EVAL, description = "Preference pairs. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs per eval step. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--cache-dir", defaultValue = ".dpo4j-cache",
            description = "Reference log-prob cache, and the SHA-256 sums of large artifact files (sha256/). "
                    + "Default: ${DEFAULT-VALUE}.")
    Path cacheDir;

    @Mixin
    LossOptions loss;

    @Mixin
    DataOptionsMixin dataOptions;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        var lossCfg = loss.toConfig();
        HashCache sums = HashCache.in(cacheDir);
        ArtifactSet art = ArtifactSet.load(artifacts, sums);
        GraphFeeds.requireLossInputs(art, lossCfg);
        Path ckpt = checkpoint == null ? art.file("checkpoint") : CheckpointStore.verifiedOrtFile(checkpoint, sums);
        PreparedData d = DataPreparer.prepareSingle(data, dataOptions.toOptions(), art);
        System.err.println(d.summary());
        SessionConfig sc = runtime.sessionConfig(0);
        int pad = art.manifest().specialTokens().pad();
        try (OrtEnvironment env = OrtEnvironment.create("dpo4j-eval")) {
            float[][] ref = lossCfg.usesReference()
                    ? ReferencePass.forData(env, sc, art, d, cacheDir, batchSize * 2, System.err)[1]
                    : new float[2][d.eval().size()];
            try (TrainingSession s = CheckpointStore.openForReading(env, sc, art, ckpt)) {
                Map<String, Double> m = new LinkedHashMap<>();
                Evaluator.evaluate(s, lossCfg, d.eval(), ref, batchSize, pad, art.manifest().vocabSize())
                        .forEach((k, v) -> m.put("eval_" + k, v));
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m));
            }
        }
        return 0;
    }

}
