import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossVariant;
import io.dpo4j.train.DpoTrainer;
import io.dpo4j.train.RunResult;
import io.dpo4j.train.TrainConfig;
import io.dpo4j.train.TrainListener;
import java.nio.file.Path;
import java.util.Map;

/**
 * dpo4j as a library: IPO on the committed tiny GPT-2 and IMDb preference pairs, printing every metrics record.
 *
 * <pre>
 * mvn -q -DskipTests package
 * java -cp target/dpo4j-0.1.0-SNAPSHOT.jar examples/QuickStart.java [steps] [output-dir]
 * </pre>
 * Run from the repository root (the paths below are relative to it).
 */
public final class QuickStart {
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path output = Path.of(args.length > 1 ? args[1] : "runs/quickstart");
        TrainConfig config = TrainConfig.builder(Path.of("artifacts/tiny-gpt2"),
                        Path.of("artifacts/datasets/imdb-pref/train.jsonl"))
                .evalData(Path.of("artifacts/datasets/imdb-pref/eval.jsonl"))
                .loss(LossConfig.defaults().withVariant(LossVariant.IPO))
                .maxSteps(steps).logEvery(5).outputDir(output).cacheDir(output.resolve("cache")).progress(false)
                .build();
        RunResult result = DpoTrainer.with(config)
                .listener(new TrainListener() {
                    @Override
                    public void onMetrics(long step, String prefix, Map<String, Double> m) {
                        System.out.printf("step %d %sloss %.4f %srewards/margins %.4f%n", step, prefix, m.get("loss"),
                                prefix, m.get("rewards/margins"));
                    }
                })
                .fit();
        System.out.println("last checkpoint: " + result.lastCheckpoint());
    }
}
