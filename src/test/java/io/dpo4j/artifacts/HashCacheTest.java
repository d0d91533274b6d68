package io.dpo4j.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpo4j.util.Files2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sums remembered by file identity: reused while nothing changed, never trusted after any change. */
class HashCacheTest {
    private static final long MIN = 1000;

    @TempDir
    Path tmp;
    Path cacheDir;
    Path big;
    Path small;

    @BeforeEach
    void files() throws IOException, InterruptedException {
        cacheDir = tmp.resolve("cache");
        big = tmp.resolve("big.bin");
        small = tmp.resolve("small.txt");
        Files.write(big, bytes(4096, 'a'));
        Files.writeString(small, "tiny");
        settle();
    }

    /** File times are stamped at a clock tick; a change must land in a later tick than the state that was hashed. */
    private static void settle() throws InterruptedException {
        Thread.sleep(30);
    }

    private static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) c);
        return b;
    }

    private HashCache cache() {
        return HashCache.in(cacheDir, MIN, 0, true);
    }

    @Test
    void secondCallTakesTheLargeFilesSumFromTheCache() {
        HashCache.Result first = cache().sha256All(List.of(big, small));
        assertEquals(List.of(), first.fromCache());
        assertEquals(Files2.sha256(big), first.sums().get(big));
        assertEquals(4096 + 4, first.hashedBytes());
        HashCache.Result second = cache().sha256All(List.of(big, small));
        assertEquals(List.of(big), second.fromCache(), "only files of at least minBytes are cached");
        assertEquals(first.sums(), second.sums());
        assertEquals(4, second.hashedBytes());
        assertTrue(second.summary(0.5).contains("1 large files unchanged since they were hashed"), second.summary(0.5));
    }

    @Test
    void aRewriteOfTheSameSizeWithTheOldMtimeRestoredIsHashedAgain() throws Exception {
        cache().sha256All(List.of(big));
        FileTime mtime = Files.getLastModifiedTime(big);
        Files.write(big, bytes(4096, 'b')); // same size: only the change time tells
        Files.setLastModifiedTime(big, mtime); // as touch -r would
        HashCache.Result again = cache().sha256All(List.of(big));
        assertEquals(List.of(), again.fromCache());
        assertEquals(Files2.sha256(bytes(4096, 'b')), again.sums().get(big));
    }

    @Test
    void aReplacedFileIsHashedAgain() throws Exception {
        cache().sha256All(List.of(big));
        Path other = tmp.resolve("other.bin");
        Files.write(other, bytes(4096, 'c'));
        Files.move(other, big, StandardCopyOption.REPLACE_EXISTING); // new inode
        HashCache.Result again = cache().sha256All(List.of(big));
        assertEquals(List.of(), again.fromCache());
        assertEquals(Files2.sha256(bytes(4096, 'c')), again.sums().get(big));
    }

    @Test
    void anEntryForAnotherIdentityIsIgnoredAndRewritten() throws Exception {
        cache().sha256All(List.of(big));
        Path entry = onlyEntry();
        List<String> lines = Files.readAllLines(entry);
        Files.write(entry, List.of(lines.get(0), lines.get(1).replace("size=4096", "size=4097"), "0".repeat(64)));
        HashCache.Result again = cache().sha256All(List.of(big));
        assertEquals(List.of(), again.fromCache());
        assertEquals(Files2.sha256(big), again.sums().get(big));
        assertEquals(Files2.sha256(big), Files.readAllLines(entry).get(2), "the entry is rewritten");
    }

    @Test
    void refreshRehashesEveryByteAndCorrectsAWrongEntry() throws Exception {
        cache().sha256All(List.of(big));
        Path entry = onlyEntry();
        List<String> lines = Files.readAllLines(entry);
        Files.write(entry, List.of(lines.get(0), lines.get(1), "f".repeat(64))); // a forged sum for this identity
        assertEquals("f".repeat(64), cache().sha256All(List.of(big)).sums().get(big),
                "a trusting cache believes its entry: the documented limit that check-artifacts covers");
        HashCache.Result full = HashCache.in(cacheDir, MIN, 0, false).sha256All(List.of(big));
        assertEquals(List.of(), full.fromCache());
        assertEquals(Files2.sha256(big), full.sums().get(big));
        assertEquals(Files2.sha256(big), cache().sha256All(List.of(big)).sums().get(big));
    }

    @Test
    void aFileChangedJustBeforeHashingIsNotRemembered() throws Exception {
        Files.write(big, bytes(4096, 'd'));
        HashCache.in(cacheDir, MIN, HashCache.SETTLE_NANOS, true).sha256All(List.of(big));
        assertFalse(Files.exists(cacheDir.resolve(HashCache.SUBDIR)), "a file written < 2 s ago may still change "
                + "within the same time stamp");
    }

    @Test
    void noneNeitherReadsNorWritesEntries() throws Exception {
        cache().sha256All(List.of(big));
        Path entry = onlyEntry();
        List<String> lines = Files.readAllLines(entry);
        Files.write(entry, List.of(lines.get(0), lines.get(1), "f".repeat(64)));
        HashCache.Result r = HashCache.none().sha256All(List.of(big, small));
        assertEquals(List.of(), r.fromCache());
        assertEquals(Files2.sha256(big), r.sums().get(big));
        assertEquals("f".repeat(64), Files.readAllLines(entry).get(2), "none() writes nothing");
    }

    @Test
    void entryFilesHoldNoFileContentAndAreNamedByTheIdentitysHash() throws Exception {
        cache().sha256All(List.of(big));
        Path entry = onlyEntry();
        String text = Files.readString(entry, StandardCharsets.UTF_8);
        assertTrue(entry.getFileName().toString().matches(HashCache.ENTRY_NAME_REGEX), entry.toString());
        assertTrue(text.startsWith("dpo4j sha256 cache entry v1\ndev="), text);
        assertTrue(text.contains(" path=" + big.toRealPath()), text);
    }

    @Test
    void anEntryThatCannotBeWrittenIsReportedAndTheSumStillReturned() throws Exception {
        Files.writeString(cacheDir, "a file where the cache directory should be");
        HashCache.Result r = cache().sha256All(List.of(big));
        assertEquals(Files2.sha256(big), r.sums().get(big));
        assertEquals(1, r.notWritten().size());
        assertTrue(r.notWritten().get(0).contains(cacheDir.resolve(HashCache.SUBDIR).toString()), r.notWritten().get(0));
        assertTrue(r.summary(1).contains("checksum cache not updated: "), r.summary(1));
    }

    @Test
    void aNullCacheDirectoryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HashCache.in(null));
    }

    private Path onlyEntry() throws IOException {
        try (var s = Files.list(cacheDir.resolve(HashCache.SUBDIR))) {
            List<Path> entries = s.toList();
            assertEquals(1, entries.size(), entries.toString());
            return entries.get(0);
        }
    }
}
