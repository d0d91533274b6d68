package io.dpo4j.data;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one template render on a daemon worker thread with a deadline, so a hostile or runaway chat template
 * (from {@code tokenizer_config.json}, which is not trusted) cannot hang a run. The deadline is also published to
 * the worker ({@link #checkDeadline()}) so the template engine stops cooperatively between nodes; a worker that
 * does not stop is abandoned (daemon) and never blocks the JVM from exiting.
 */
final class BoundedRender {

    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dpo4j-chat-template");
        t.setDaemon(true);
        return t;
    });

    private BoundedRender() {
    }

    /** Thrown on the worker thread when the render's deadline has passed. */
    static final class DeadlineExceeded extends RuntimeException {
        DeadlineExceeded() {
            super("render deadline exceeded", null, false, false);
        }
    }

    /**
     * Runs {@code render} within {@code limit}.
     *
     * @throws TemplateLimitException naming {@code origin} when the limit is exceeded
     */
    static String run(Callable<String> render, Duration limit, String origin) {
        long deadline = System.nanoTime() + limit.toNanos();
        Future<String> f = WORKERS.submit(() -> {
            DEADLINE.set(deadline);
            try {
                return render.call();
            } catch (RuntimeException e) { // the engine may wrap the deadline into its own error
                if (System.nanoTime() - deadline > 0) {
                    throw new DeadlineExceeded();
                }
                throw e;
            } finally {
                DEADLINE.remove();
            }
        });
        try {
            return f.get(limit.toNanos() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw timeout(limit, origin);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new TemplateLimitException("interrupted while rendering the chat template of " + origin);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeadlineExceeded) {
                throw timeout(limit, origin);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof StackOverflowError) {
                throw new TemplateLimitException("the chat template of " + origin + " recursed too deeply while "
                        + "rendering one row; fix the template");
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Called from inside the template engine on the worker thread: stops a render whose deadline has passed. */
    static void checkDeadline() {
        Long deadline = DEADLINE.get();
        if (deadline != null && System.nanoTime() - deadline > 0) {
            throw new DeadlineExceeded();
        }
    }

    private static TemplateLimitException timeout(Duration limit, String origin) {
        return new TemplateLimitException("the chat template of " + origin + " ran longer than " + limit.toMillis()
                + " ms rendering one row; expected a template that renders in well under a second (check its loops)");
    }
}
