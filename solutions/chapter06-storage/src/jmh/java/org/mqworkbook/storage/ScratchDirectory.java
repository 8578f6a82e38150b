package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the storage benchmarks put their files: a fresh directory under {@code java.io.tmpdir}, deleted
 * with everything in it when the benchmark is done.
 *
 * <p>Why a real directory and not an in-memory file system: the benchmarks measure what the log costs
 * against the same system calls on the same disk ({@code pwrite}, {@code fsync}, {@code pread}). Point
 * {@code java.io.tmpdir} at the disk you mean to measure ({@code -jvmArgsAppend -Djava.io.tmpdir=...});
 * a {@code tmpfs} turns every fsync into a no-op and the durable figures into fiction.
 *
 * <p>Stateless and thread safe.
 */
final class ScratchDirectory {

    private ScratchDirectory() {
    }

    /** A new, empty directory whose name starts with {@code prefix}. */
    static Path create(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    /**
     * Deletes {@code dir} and everything below it (the log's segments, indexes and any quarantine
     * folder). Does nothing if {@code dir} is null, so that a tear-down after a failed set-up is safe.
     */
    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        List<Path> deepestFirst;
        try (Stream<Path> files = Files.walk(dir)) {
            deepestFirst = files.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path file : deepestFirst) {
            Files.deleteIfExists(file);
        }
    }
}
