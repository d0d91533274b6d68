package io.dpo4j.cli;

import io.dpo4j.data.DataOptions;
import io.dpo4j.dpo.LossConfig;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.train.LrSchedule;
import io.dpo4j.train.TrainConfig;
import io.dpo4j.verify.CheckResult;
import io.dpo4j.verify.GoldenCheck;
import io.dpo4j.verify.ReproCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dpo4j verify}: golden parity, determinism and resume checks on a device (the GPU acceptance run). */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Check this device against the PyTorch goldens, rerun determinism and checkpoint resume; "
                + "prints PASS/FAIL per check and exits 1 on any failure.",
        footer = {"", "Examples:",
                "  dpo4j verify",
                "  dpo4j verify --device cuda:0 --rel-tol 1e-4"})
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--golden-dir", defaultValue = EmbeddedDefault.HOME + "/src/test/resources/golden",
            description = "Directory of <model>.json goldens (tools/parity/golden.py). Default: ${DEFAULT-VALUE}.")
    Path goldenDir;

    @Option(names = "--artifacts-root", defaultValue = EmbeddedDefault.HOME + "/artifacts",
            description = "Directory holding one artifact directory per model. Default: ${DEFAULT-VALUE}.")
    Path artifactsRoot;

    @Option(names = "--models", defaultValue = "tiny-gpt2,tiny-llama", split = ",",
            description = "Models to check. Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(names = "--rel-tol", defaultValue = "1e-5",
            description = "Relative tolerance of log-probs and losses (use 1e-4 on GPU). Default: ${DEFAULT-VALUE}.")
    double relTol;

    @Option(names = "--param-tol", defaultValue = "1e-4",
            description = "Absolute tolerance of parameters after 3 steps. Default: ${DEFAULT-VALUE}.")
    double paramTol;

    @Option(names = "--steps", defaultValue = "20",
            description = "Steps of the determinism and resume runs (resume from the middle). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--work", defaultValue = "runs/verify", description = "Scratch directory. Default: ${DEFAULT-VALUE}.")
    Path work;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        SessionConfig sc = runtime.sessionConfig(0);
        List<CheckResult> results = new ArrayList<>();
        for (String m : models) {
            Path golden = goldenDir.resolve(m + ".json");
            if (!Files.isRegularFile(golden)) {
                throw new IllegalArgumentException("--models " + m + ": no golden file " + golden);
            }
            for (CheckResult r : GoldenCheck.run(golden, artifactsRoot.resolve(m), sc, relTol, paramTol)) {
                System.out.println(r);
                results.add(r);
            }
            TrainConfig cfg = reproConfig(artifactsRoot.resolve(m), work.resolve(m));
            for (CheckResult r : List.of(ReproCheck.determinism(cfg, work.resolve(m).resolve("determinism"), System.err),
                    ReproCheck.resume(cfg, steps / 2, work.resolve(m).resolve("resume"), System.err))) {
                System.out.println(r);
                results.add(r);
            }
        }
        long failed = results.stream().filter(r -> !r.passed()).count();
        System.out.printf("%d passed, %d failed%n", results.size() - failed, failed);
        return failed == 0 ? 0 : 1;
    }

    /** A short DPO run on the embedded IMDb pairs, used for the determinism and resume checks. */
    TrainConfig reproConfig(Path artifacts, Path out) {
        return TrainConfig.builder(artifacts, EmbeddedDefault.resolve(EmbeddedDefault.TRAIN))
                .evalData(EmbeddedDefault.resolve(EmbeddedDefault.EVAL)).evalFraction(0)
                .data(DataOptions.defaults().withLengths(128, 64)).loss(LossConfig.defaults()).batchSize(4)
                .gradAccum(2).epochs(1).maxSteps(steps).learningRate(1e-3).schedule(LrSchedule.Kind.LINEAR)
                .warmupRatio(0.1).seed(7).logEvery(5).evalEvery(0).saveEvery(0).outputDir(out)
                .cacheDir(out.resolve("cache")).device(runtime.parsedDevice()).threads(runtime.threads)
                .deterministic(runtime.deterministic).progress(false).tuning(runtime.tuning()).build();
    }
}
