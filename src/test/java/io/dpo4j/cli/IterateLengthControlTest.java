package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpo4j.iterate.IterateConfig;
import io.dpo4j.iterate.IterateDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dpo4j iterate --length-target L}: the effective judge specs and iLR-DPO λ for each combination of the command
 * line and {@code --config} keys, what config.yaml records, and that a rerun from it resolves the same (parsing only,
 * no run).
 */
class IterateLengthControlTest {
    private static final String ADDED = "length:32@" + IterateDefaults.LENGTH_JUDGE_WEIGHT;
    private static final double DEFAULT_LAMBDA = Double.parseDouble(IterateDefaults.LENGTH_LAMBDA_SCALE) / (32 * 32);

    @TempDir
    Path tmp;

    private static IterateCommand parse(String... args) {
        CommandLine root = Main.commandLine();
        root.parseArgs(Main.withConfig(root, args));
        return root.getSubcommands().get("iterate").getCommand();
    }

    private Path yaml(String text) throws Exception {
        Path f = Files.createTempFile(tmp, "config", ".yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aTargetAloneAddsTheLengthJudgeAndTheDefaultLambda() {
        IterateCommand it = parse("iterate", "--length-target", "32");
        IterateConfig cfg = it.toConfig();
        assertThat(cfg.judgeSpecs()).hasSize(2);
        assertThat(cfg.judgeSpecs().get(0)).startsWith("onnx:").endsWith("artifacts/judges/sentiment");
        assertThat(cfg.judgeSpecs().get(1)).isEqualTo(ADDED);
        assertThat(it.train.loss.lengthLambda).isEqualTo(DEFAULT_LAMBDA);
        assertThat(it.train.loss.toConfig().lengthLambda()).isEqualTo(DEFAULT_LAMBDA); // what each round trains with
        assertThat(cfg.lengthTarget()).isEqualTo(32.0);
        assertThat(it.toConfig().judgeSpecs()).isEqualTo(cfg.judgeSpecs()); // resolving twice adds nothing more
        assertThat(it.lengthControl().describe(32)).contains(ADDED).contains("length-lambda: " + DEFAULT_LAMBDA);
        assertThat(it.effectiveConfig()).contains("length-lambda: " + DEFAULT_LAMBDA).contains("- \"" + ADDED + "\"");
    }

    @Test
    void givenValuesWin() {
        IterateCommand zero = parse("iterate", "--length-target", "32", "--length-lambda", "0");
        assertThat(zero.toConfig().judgeSpecs()).last().isEqualTo(ADDED);
        assertThat(zero.train.loss.lengthLambda).isZero();
        IterateCommand judge = parse("iterate", "--length-target", "32", "--judge", "cmd:x");
        assertThat(judge.toConfig().judgeSpecs()).containsExactly("cmd:x");
        assertThat(judge.train.loss.lengthLambda).isEqualTo(DEFAULT_LAMBDA);
        IterateCommand today = parse("iterate", "--length-target", "32", "--judge", "cmd:x", "--length-lambda", "0");
        assertThat(today.toConfig().judgeSpecs()).containsExactly("cmd:x");
        assertThat(today.train.loss.lengthLambda).isZero();
    }

    @Test
    void withoutATargetNothingChangesAndLambdaIsNotRecordedUnlessGiven() {
        IterateCommand plain = parse("iterate");
        assertThat(plain.toConfig().judgeSpecs()).singleElement().asString().endsWith("artifacts/judges/sentiment");
        assertThat(plain.train.loss.lengthLambda).isZero();
        assertThat(plain.effectiveConfig()).doesNotContain("length-lambda").contains("judge: []");
        IterateCommand lambda = parse("iterate", "--length-lambda", "0.01");
        assertThat(lambda.toConfig().judgeSpecs()).hasSize(1);
        assertThat(lambda.effectiveConfig()).contains("length-lambda: 0.01");
        CommandLine train = Main.commandLine(); // train's own default is unchanged
        train.parseArgs("train", "--length-target", "32");
        assertThat(((TrainCommand) train.getSubcommands().get("train").getCommand()).toConfig().loss().lengthLambda())
                .isZero();
    }

    @Test
    void configFileKeysCountAsGiven() throws Exception {
        IterateCommand target = parse("iterate", "--config", yaml("length-target: 32\n").toString());
        assertThat(target.toConfig().judgeSpecs()).last().isEqualTo(ADDED);
        assertThat(target.train.loss.lengthLambda).isEqualTo(DEFAULT_LAMBDA);
        IterateCommand zero = parse("iterate", "--config", yaml("length-target: 32\nlength-lambda: 0\n").toString());
        assertThat(zero.toConfig().judgeSpecs()).last().isEqualTo(ADDED);
        assertThat(zero.train.loss.lengthLambda).isZero();
        IterateCommand judge = parse("iterate", "--config", yaml("length-target: 32\njudge: [\"cmd:x\"]\n").toString());
        assertThat(judge.toConfig().judgeSpecs()).containsExactly("cmd:x");
        assertThat(judge.train.loss.lengthLambda).isEqualTo(DEFAULT_LAMBDA);
        IterateCommand line = parse("iterate", "--config", yaml("length-target: 32\nlength-lambda: 0\n").toString(),
                "--length-lambda", "0.02"); // the command line overrides the file
        line.toConfig();
        assertThat(line.train.loss.lengthLambda).isEqualTo(0.02);
    }

    @Test
    void aRunsConfigYamlResolvesToTheSameRun() throws Exception {
        IterateCommand first = parse("iterate", "--length-target", "32");
        IterateConfig a = first.toConfig();
        Path file = yaml(first.effectiveConfig());
        IterateCommand again = parse("iterate", "--config", file.toString());
        IterateConfig b = again.toConfig();
        assertThat(b.judgeSpecs()).isEqualTo(a.judgeSpecs());
        assertThat(again.train.loss.lengthLambda).isEqualTo(DEFAULT_LAMBDA);
        assertThat(ConfigFile.values(again.spec)).isEqualTo(ConfigFile.values(first.spec)); // the resume identity
        // a plain run's config.yaml with a target added on the command line engages both
        IterateCommand plain = parse("iterate");
        plain.toConfig();
        Path plainFile = yaml(plain.effectiveConfig());
        IterateCommand withTarget = parse("iterate", "--config", plainFile.toString(), "--length-target", "32");
        assertThat(withTarget.toConfig().judgeSpecs()).last().isEqualTo(ADDED);
        assertThat(withTarget.train.loss.lengthLambda).isEqualTo(DEFAULT_LAMBDA);
    }
}
