package io.dpo4j.train;

import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which checkpoints survive a save (TRL's {@code save_total_limit}): the newest {@code limit} checkpoints and, with
 * {@code keepBest}, also the one with the lowest {@code eval_loss} (TRL's {@code load_best_model_at_end} with
 * {@code metric_for_best_model="eval_loss"}; ties go to the earlier step). A limit of 0 keeps everything.
 *
 * <p>Only directories named {@code step-NNNNNN} whose {@code trainer_state.json} parses as a {@link TrainerState} of
 * that same step are ever deleted, never a protected directory (the checkpoint being resumed, or one that contains an
 * input file). A doomed checkpoint is first renamed to {@code step-NNNNNN.tmp-<digits>} (the temporary naming that
 * {@link LeftoverSweeper} removes at startup) and then deleted, so a crash mid-deletion never leaves a half-deleted
 * directory that looks like a checkpoint.
 */
public final class CheckpointRetention {
    private final int limit;
    private final boolean keepBest;
    private final List<Path> protectedPaths;

    /**
     * @param limit          checkpoints to keep, newest first; 0 = keep all
     * @param keepBest       also keep the checkpoint with the lowest eval loss
     * @param protectedPaths paths never deleted, nor any checkpoint containing one (the resume checkpoint, inputs)
     */
    public CheckpointRetention(int limit, boolean keepBest, List<Path> protectedPaths) {
        if (limit < 0) {
            throw new IllegalArgumentException("--save-total-limit: expected >= 0, found " + limit);
        }
        this.limit = limit;
        this.keepBest = keepBest;
        this.protectedPaths = protectedPaths.stream().filter(p -> p != null && Files.exists(p))
                .map(CheckpointRetention::real).toList();
    }

    /** A checkpoint directory with its parsed state. */
    private record Ckpt(Path dir, TrainerState state) {}

    /**
     * Deletes the checkpoints under {@code store} that fall outside the limit.
     *
     * @return the deleted checkpoint directories, oldest first
     */
    public List<Path> apply(CheckpointStore store) {
        if (limit == 0) {
            return List.of();
        }
        List<Ckpt> ours = new ArrayList<>();
        for (Path dir : store.complete()) {
            TrainerState st = readState(dir);
            if (st != null && st.step() == CheckpointStore.stepOf(dir)) {
                ours.add(new Ckpt(dir, st));
            }
        }
        Set<Path> keep = new HashSet<>();
        for (int i = Math.max(0, ours.size() - limit); i < ours.size(); i++) {
            keep.add(ours.get(i).dir());
        }
        if (keepBest) {
            ours.stream().filter(c -> c.state().evalLoss() != null && Double.isFinite(c.state().evalLoss()))
                    .min(Comparator.comparingDouble((Ckpt c) -> c.state().evalLoss())
                            .thenComparingLong(c -> c.state().step()))
                    .ifPresent(c -> keep.add(c.dir()));
        }
        List<Path> deleted = new ArrayList<>();
        for (Ckpt c : ours) {
            if (!keep.contains(c.dir()) && !isProtected(c.dir())) {
                delete(c.dir());
                deleted.add(c.dir());
            }
        }
        return deleted;
    }

    /** @return the checkpoint's state, or null when its trainer_state.json is not one of ours */
    private static TrainerState readState(Path dir) {
        try {
            return Files2.JSON.readValue(dir.resolve(CheckpointStore.STATE_FILE).toFile(), TrainerState.class);
        } catch (IOException e) {
            return null; // not ours (or damaged): never deleted
        }
    }

    private boolean isProtected(Path dir) {
        Path r = real(dir);
        return protectedPaths.stream().anyMatch(p -> p.startsWith(r));
    }

    private static void delete(Path dir) {
        Path doomed = dir.resolveSibling(dir.getFileName() + Files2.TEMP_MARK
                + java.util.concurrent.ThreadLocalRandom.current().nextLong(Long.MAX_VALUE));
        try {
            Files2.moveAtomically(dir, doomed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove old checkpoint " + dir + ": " + IoReason.of(e), e);
        }
        Files2.deleteTree(doomed);
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
