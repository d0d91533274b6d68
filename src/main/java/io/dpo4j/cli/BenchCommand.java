package io.dpo4j.cli;

import io.dpo4j.bench.TrainBenchmark;
import io.dpo4j.runtime.OrtEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dpo4j bench}: pairs/s, tokens/s and peak memory of full optimizer steps on a synthetic batch. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark training steps (train step + AdamW step) on a synthetic batch; one line per setting.",
        footer = {"", "Examples:",
                "  dpo4j bench --artifacts artifacts/tiny-gpt2 --batch-size 8 --seq-len 128",
                "  dpo4j bench --artifacts tools/.cache/artifacts/gpt2-124m --batch-size 1,4 --seq-len 128 --steps 3"})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--artifacts", defaultValue = EmbeddedDefault.ARTIFACTS, description = "Default: ${DEFAULT-VALUE}.")
    Path artifacts;

    @Option(names = "--batch-size", defaultValue = "8", split = ",", description = "Pairs per step (list). Default: ${DEFAULT-VALUE}.")
    List<Integer> batchSizes;

    @Option(names = "--seq-len", defaultValue = "128", description = "Tokens per sequence. Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() {
        System.out.printf("# dpo4j bench: ORT %s, device %s, intra-op threads %d (0 = ORT default), deterministic %s, "
                        + "%s, %d cores, %s%n", OrtEnvironment.ortVersion(), runtime.device, runtime.threads,
                runtime.deterministic, runtime.tuning(), Runtime.getRuntime().availableProcessors(), artifacts);
        System.out.println("batch\tseq_len\tpairs/s\ttokens/s\ts/step\tpeak_rss_MiB");
        for (int b : batchSizes) {
            TrainBenchmark.Result r = TrainBenchmark.run(new TrainBenchmark.Settings(artifacts, b, seqLen, warmup, steps),
                    runtime.sessionConfig(0));
            System.out.printf("%d\t%d\t%.2f\t%.1f\t%.4f\t%.0f%n", b, seqLen, r.pairsPerSecond(), r.tokensPerSecond(),
                    r.secondsPerStep(), r.peakRssMiB());
        }
        return 0;
    }
}
