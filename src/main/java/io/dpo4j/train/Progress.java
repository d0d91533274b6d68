package io.dpo4j.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar with ETA on a terminal; nothing when output is not a terminal or progress is off. */
interface Progress extends AutoCloseable {
    /** Advances one step with a short message (e.g. the loss). */
    void step(String message);

    @Override
    void close();

    /** @return a bar when {@code enabled} and a console is attached, else a no-op */
    static Progress create(boolean enabled, String task, long total, long done) {
        if (!enabled || System.console() == null) {
            return new Progress() {
                @Override
                public void step(String message) { }

                @Override
                public void close() { }
            };
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).startsFrom(done, java.time.Duration.ZERO).build();
        return new Progress() {
            @Override
            public void step(String message) {
                bar.step();
                bar.setExtraMessage(" " + message);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
