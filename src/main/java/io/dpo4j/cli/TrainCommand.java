package io.dpo4j.cli;

import io.dpo4j.train.CheckpointStore;
import io.dpo4j.train.DpoTrainer;
import io.dpo4j.train.RunResult;
import io.dpo4j.train.TrainConfig;
import io.dpo4j.train.TrainDefaults;
import io.dpo4j.train.TrainListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dpo4j train}: with no options, the embedded default run on the committed tiny model and IMDb pairs. */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = false, sortOptions = false,
        description = {"Train with DPO (or a variant) through ONNX Runtime's training API.",
                "With no options: the embedded default (artifacts/tiny-gpt2 on artifacts/datasets/imdb-pref), "
                        + "which reports held-out rewards/accuracies."},
        footer = {"", "Examples:",
                "  dpo4j train",
                "  dpo4j train --artifacts artifacts/tiny-llama --data prefs.jsonl --eval-fraction 0.1 --epochs 2",
                "  dpo4j train --data prefs.csv --loss robust --label-smoothing 0.1 --grad-accum 4 --lr 5e-4",
                "  dpo4j train --loss simpo --beta 2.0 --simpo-gamma 1.0 --device cuda:0",
                "  dpo4j train --resume runs/dpo/checkpoints/step-000100",
                "  dpo4j train --init-from runs/dpo/checkpoints/step-000150 --reference-from runs/dpo/checkpoints/step-000150 "
                        + "--data round2.jsonl --output runs/round2",
                "  dpo4j train --save-every 50 --eval-every 50 --save-total-limit 2 --save-best",
                "  dpo4j train --config run.yaml --lr 1e-3       # file values, --lr from the command line",
                "  dpo4j train --config runs/dpo/config.yaml --output runs/again   # the same run again, bit for bit",
                "  dpo4j train --artifacts artifacts/tiny-llama-lora --lr 5e-3   # LoRA: adapters trained, base frozen, "
                        + "reference = base",
                "  dpo4j train --artifacts artifacts/tiny-llama-lora --init-adapter peft-adapter-dir",
                "",
                "LoRA: artifacts exported with tools/export/export.py --lora-r R [--lora-alpha A --lora-dropout P "
                        + "--lora-targets q_proj,v_proj|all-linear] train only the adapters (checkpoints and optimizer "
                        + "state hold only them); the reference log-probs are the frozen base's. export-adapter writes "
                        + "a PEFT adapter, export-inference --merge and export-hf the merged model (README, LoRA)."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS,
            description = "Artifact directory from tools/export/export.py. Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--data", description = "Training preferences (JSONL, JSON, CSV, TSV). Default: "
            + EmbeddedDefault.TRAIN + " (with " + EmbeddedDefault.EVAL + " held out).")
    Path data;

    @Option(names = "--eval-data", description = "Held-out preferences; without it --eval-fraction of --data is held "
            + "out. Default: none.")
    Path evalData;

    @Option(names = "--eval-fraction", defaultValue = TrainDefaults.EVAL_FRACTION,
            description = "Fraction held out (seeded) when there is no --eval-data. Default: ${DEFAULT-VALUE}.")
    double evalFraction;

    @Mixin
    TrainOptions options;

    @Option(names = "--seed", defaultValue = TrainDefaults.SEED, description = "Split and batch-order seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--output", defaultValue = TrainDefaults.OUTPUT,
            description = "Run directory (metrics.jsonl, checkpoints/), locked while a run uses it (.lock holds "
                    + "the pid); must not be a file, and its metrics.jsonl not an input. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--cache-dir", defaultValue = TrainDefaults.CACHE_DIR,
            description = "Reference log-prob cache, and the SHA-256 sums of large artifact files (sha256/; "
                    + "dpo4j check-artifacts rehashes every byte). Default: ${DEFAULT-VALUE}.")
    Path cacheDir;

    @Option(names = "--resume", description = "Checkpoint directory to resume from, or 'latest' (newest under "
            + "--output); metrics.jsonl is cut back to the checkpoint's step. Default: none.")
    String resume;

    @Option(names = "--init-from", paramLabel = "DIR",
            description = "Checkpoint directory (of a run on --artifacts) whose parameters the policy starts from; the "
                    + "optimizer starts fresh (a --resume continues its own checkpoint instead). Default: none (the "
                    + "artifacts' starting weights).")
    Path initFrom;

    @Option(names = "--init-adapter", paramLabel = "DIR",
            description = "LoRA artifacts only: start the adapters from this PEFT adapter directory "
                    + "(adapter_config.json + adapter_model.safetensors, same r, lora_alpha and target modules) "
                    + "instead of the artifacts' initialisation; the reference stays the base. Default: none.")
    Path initAdapter;

    @Option(names = "--reference-from", paramLabel = "DIR",
            description = "Checkpoint directory whose parameters compute the reference log-probs (reference_model.onnx "
                    + "with the checkpoint's weights). Default: none (the artifacts' starting weights).")
    Path referenceFrom;

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE",
            description = "YAML file of option values (keys = option names without dashes, e.g. 'batch-size: 4'); "
                    + "options on the command line override it. Every run writes its effective options to "
                    + "<output>/config.yaml, and --config <that file> reproduces the run. Default: none.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TrainConfig cfg = toConfig();
        RunResult r = fit(cfg, System.err);
        System.out.printf("trained %d steps in %.1f s; metrics: %s; checkpoint: %s%n", r.stepLosses().size(),
                r.seconds(), cfg.outputDir().resolve("metrics.jsonl"), r.lastCheckpoint());
        Map<String, Double> ev = r.finalEval();
        if (!ev.isEmpty()) {
            System.out.printf("held-out: rewards/accuracies %.4f  rewards/margins %.4f  loss %.4f%n",
                    ev.get("rewards/accuracies"), ev.get("rewards/margins"), ev.get("loss"));
        }
        return 0;
    }

    /**
     * Runs the parsed options as {@code cfg} (from {@link #toConfig}), writing the effective options to
     * {@code <output>/config.yaml} once the input is validated. Used by {@code train} and by each sweep trial.
     */
    RunResult fit(TrainConfig cfg, PrintStream log) {
        String effective = ConfigFile.effective(spec);
        return DpoTrainer.with(cfg).log(log).listener(new TrainListener() {
            @Override
            public void onStart(TrainConfig c) {
                ConfigFile.writeRunFile(c.outputDir(), effective, config);
            }
        }).fit();
    }

    TrainConfig toConfig() {
        boolean embedded = data == null;
        Path train = embedded ? EmbeddedDefault.resolve(EmbeddedDefault.TRAIN) : data;
        Path eval = evalData != null ? evalData : embedded ? EmbeddedDefault.resolve(EmbeddedDefault.EVAL) : null;
        Path resumeDir = null;
        if (resume != null) {
            resumeDir = "latest".equals(resume)
                    ? new CheckpointStore(output).latest().orElseThrow(() -> new IllegalArgumentException(
                            "--resume latest: no checkpoint under " + output.resolve("checkpoints")))
                    : Path.of(resume);
        }
        return options.applyTo(TrainConfig.builder(artifacts, train)).evalData(eval).evalFraction(evalFraction)
                .seed(seed).outputDir(output).cacheDir(cacheDir).resumeFrom(resumeDir).initFrom(initFrom)
                .referenceFrom(referenceFrom).initAdapter(initAdapter).build();
    }
}
