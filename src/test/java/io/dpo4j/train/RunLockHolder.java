package io.dpo4j.train;

import java.nio.file.Path;

/**
 * Test helper run in a separate JVM by {@link RunLockTest}. {@code RunLockHolder DIR}: locks DIR, prints
 * {@code locked <pid>}, and holds the lock until its standard input ends (or it is killed).
 * {@code RunLockHolder DIR probe}: tries once, prints {@code locked} or the error, and exits (0 or 3).
 */
public final class RunLockHolder {
    private RunLockHolder() {}

    /** @param args the run directory, optionally {@code probe} */
    public static void main(String[] args) throws Exception {
        boolean probe = args.length > 1 && args[1].equals("probe");
        RunLock lock;
        try {
            lock = RunLock.acquire(Path.of(args[0]));
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            System.exit(3);
            return;
        }
        try (lock) {
            System.out.println(probe ? "locked" : "locked " + ProcessHandle.current().pid());
            System.out.flush();
            while (!probe && System.in.read() >= 0) {
                // hold until the parent closes our stdin
            }
        }
    }
}
