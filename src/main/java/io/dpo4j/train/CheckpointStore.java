package io.dpo4j.train;

import io.dpo4j.artifacts.ArtifactSet;
import io.dpo4j.artifacts.HashCache;
import io.dpo4j.runtime.OrtEnvironment;
import io.dpo4j.runtime.SessionConfig;
import io.dpo4j.runtime.TrainingSession;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training checkpoints under {@code <output>/checkpoints/step-NNNNNN/}: the ORT checkpoint (parameters and optimizer
 * state) plus {@code trainer_state.json}. Each is written into a temporary directory and renamed into place, so a
 * crash never leaves a half-written checkpoint; the SHA-256 and size of every file of the directory are recorded
 * and verified on load ({@link CheckpointFiles}).
 */
public final class CheckpointStore {
    /** Name of the ORT checkpoint file inside a checkpoint directory. */
    public static final String ORT_FILE = "checkpoint";
    /** Name of the trainer state file inside a checkpoint directory. */
    public static final String STATE_FILE = "trainer_state.json";

    /** Names of checkpoint directories: {@code step-} and the step, zero-padded to at least six digits. */
    public static final Pattern DIR_NAME = Pattern.compile("step-(\\d{6,18})");

    private final Path root;

    /** @param outputDir the run's output directory */
    public CheckpointStore(Path outputDir) {
        this.root = outputDir.resolve("checkpoints");
    }

    /** @return the {@code checkpoints} directory */
    public Path root() {
        return root;
    }

    /** @return the directory of the checkpoint at {@code step} */
    public Path dirOf(long step) {
        return root.resolve(String.format("step-%06d", step));
    }

    /** Saves the session's parameters and optimizer state with {@code state}; returns the checkpoint directory. */
    public Path save(TrainingSession session, TrainerState state) {
        return save(session, state, true);
    }

    /**
     * Saves the session's parameters, and its optimizer state (AdamW moments and step) when {@code optimizerState}, with
     * {@code state}; returns the checkpoint directory. Without the optimizer state the checkpoint cannot be resumed
     * ({@link TrainerState#resumable()}), but ORT writes it without holding a second copy of the moments in memory.
     */
    public Path save(TrainingSession session, TrainerState state, boolean optimizerState) {
        Path target = dirOf(state.step());
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, target.getFileName() + ".tmp-");
            try {
                session.saveCheckpoint(tmp.resolve(ORT_FILE), optimizerState);
                TrainerState withSum = state.withOptimizerState(optimizerState).withFiles(CheckpointFiles.of(tmp));
                Files2.JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(STATE_FILE).toFile(), withSum);
                if (Files.exists(target)) {
                    Files2.deleteTree(target);
                }
                Files2.moveAtomically(tmp, target);
            } finally {
                Files2.deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save checkpoint " + target + ": " + IoReason.of(e), e);
        }
        return target;
    }

    /**
     * Reads and verifies a checkpoint directory, hashing every byte.
     *
     * @throws IllegalStateException when a file is missing, unlisted, or its size or checksum differs
     */
    public static TrainerState load(Path dir) {
        return load(dir, HashCache.none());
    }

    /**
     * Reads and verifies a checkpoint directory, taking the SHA-256 of large unchanged files from {@code cache}.
     *
     * @throws IllegalStateException when a file is missing, unlisted, or its size or checksum differs
     */
    public static TrainerState load(Path dir, HashCache cache) {
        Path stateFile = dir.resolve(STATE_FILE);
        Path ort = dir.resolve(ORT_FILE);
        if (!Files.isRegularFile(stateFile) || !Files.isRegularFile(ort)) {
            throw new IllegalStateException("checkpoint " + dir + ": expected files " + STATE_FILE + " and " + ORT_FILE
                    + ", found " + (Files.isRegularFile(stateFile) ? "" : "no " + STATE_FILE + " ")
                    + (Files.isRegularFile(ort) ? "" : "no " + ORT_FILE));
        }
        TrainerState state;
        try {
            state = Files2.JSON.readValue(stateFile.toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new IllegalStateException(stateFile + ": cannot parse: " + e.getMessage(), e);
        }
        CheckpointFiles.verify(dir, state, cache);
        return state;
    }

    /** @return the newest complete checkpoint directory, if any */
    public Optional<Path> latest() {
        List<Path> all = complete();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * @return the directories named {@code step-NNNNNN} that hold a {@code trainer_state.json}, oldest step first
     *     (ordered by step number, so step 1000000 comes after step 999999)
     */
    public List<Path> complete() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> stepOf(p) >= 0)
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted(Comparator.comparingLong(CheckpointStore::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + IoReason.of(e), e);
        }
    }

    /** @return the ORT checkpoint file of checkpoint directory {@code dir}, after {@link #load} verified all its files */
    public static Path verifiedOrtFile(Path dir) {
        return verifiedOrtFile(dir, HashCache.none());
    }

    /** As {@link #verifiedOrtFile(Path)}, taking the sums of large unchanged files from {@code cache}. */
    public static Path verifiedOrtFile(Path dir, HashCache cache) {
        load(dir, cache);
        return dir.resolve(ORT_FILE);
    }

    /**
     * Opens a training session of the artifacts' training, eval and optimizer graphs on an ORT checkpoint file: the
     * artifacts' starting {@code checkpoint} or a run's ({@link #verifiedOrtFile}).
     */
    public static TrainingSession openSession(OrtEnvironment env, SessionConfig sc, ArtifactSet art, Path ortFile) {
        return TrainingSession.open(env, sc, ortFile, art.file("training_model.onnx"), art.file("eval_model.onnx"),
                art.file("optimizer_model.onnx"));
    }

    /**
     * As {@link #openSession} without the optimizer graph, for evaluation, parameter reads and exports: ORT never
     * allocates the AdamW moments (8 bytes per trainable value; 8.8 GB on the TinyLlama-1.1B shape), so such a session
     * opens in less memory and time. It cannot take optimizer steps.
     */
    public static TrainingSession openForReading(OrtEnvironment env, SessionConfig sc, ArtifactSet art, Path ortFile) {
        return TrainingSession.open(env, sc, ortFile, art.file("training_model.onnx"), art.file("eval_model.onnx"),
                null);
    }

    /** @return the step in a checkpoint directory's name, or -1 when it is not named like one */
    public static long stepOf(Path dir) {
        var m = DIR_NAME.matcher(dir.getFileName().toString());
        return m.matches() && Files.isDirectory(dir) ? Long.parseLong(m.group(1)) : -1;
    }
}
