package io.dpo4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Whether ONNX Runtime (the JVM runtime dpo4j uses) saves a checkpoint with the optimizer state for a one-tensor model
 * of tools/bench/ort_checkpoint_limit_model.py: opens the session, takes one train and AdamW step, saves with the
 * moments, and reopens the saved file. Run by tools/bench/ort_checkpoint_limit.sh; not a unit test (the models are
 * 0.6–0.8 GB).
 */
public final class CheckpointSaveProbe {
    private CheckpointSaveProbe() {}

    private static String peakRss() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .findFirst().orElse("VmHWM: ?").replaceAll("\\s+", " ");
    }

    /** @param args artifact directory, path of the checkpoint to write */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path train = dir.resolve("training_model.onnx");
        Path optim = dir.resolve("optimizer_model.onnx");
        try (OrtEnvironment env = OrtEnvironment.create("checkpoint-save-probe");
             TrainingSession s = TrainingSession.open(env, SessionConfig.cpuDefaults(), dir.resolve("checkpoint"),
                     train, null, optim)) {
            long n = s.parameterCount(true);
            float[] x = new float[Math.toIntExact(n)];
            Arrays.fill(x, 1f);
            try (Tensor features = Tensor.ofFloats(x, new long[] {n});
                 Tensor target = Tensor.ofFloats(new float[] {3f}, new long[] {})) {
                s.trainStep(List.of(features, target)).forEach(Tensor::close);
            }
            s.optimizerStep();
            System.out.printf("%d trainable values; moments %,d bytes; after one step %s%n", n, 8 * n, peakRss());
            long t0 = System.nanoTime();
            try {
                s.saveCheckpoint(out, true);
            } catch (OrtRuntimeException e) {
                System.out.println("SAVE FAILED: " + e.getMessage() + "; " + peakRss() + "; file left: "
                        + (Files.exists(out) ? Files.size(out) + " bytes" : "none"));
                return;
            }
            System.out.printf("saved with the optimizer state in %.1f s: %,d bytes; %s%n", (System.nanoTime() - t0) / 1e9,
                    Files.size(out), peakRss());
        }
        try (OrtEnvironment env = OrtEnvironment.create("checkpoint-save-probe-reopen");
             TrainingSession s = TrainingSession.open(env, SessionConfig.cpuDefaults(), out, train, null, optim)) {
            System.out.println("REOPENED: " + s.parameterCount(true) + " trainable values, W[0] = " + s.parameter("W")[0]);
        }
    }
}
