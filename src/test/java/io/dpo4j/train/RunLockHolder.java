package io.dpo4j.train;

import java.nio.file.Path;

/**
 * Test helper run in a separate JVM by {@link RunLockTest}: locks the directory given as argument, prints
 * {@code locked <pid>}, and holds the lock until its standard input ends (or it is killed).
 */
public final class RunLockHolder {
    private RunLockHolder() {}

    /** @param args the run directory */
    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
            System.out.println("locked " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes our stdin
            }
        }
    }
}
