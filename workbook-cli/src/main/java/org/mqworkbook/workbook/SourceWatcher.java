package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns saves of {@code .java} files anywhere below a directory into {@link Trigger.Saved}s, with the
 * JDK's {@link WatchService} (inotify on Linux). A WatchService watches single directories, so every
 * directory below the root is registered, and new ones as they appear.
 *
 * <p>Files that are not Java sources (an editor's swap and backup files, {@code 4913}, {@code *~}) are
 * ignored. Where the JDK has no native file events it polls every few seconds (macOS): that is what the
 * watch command's Enter key is for.
 *
 * <p>One daemon thread, started by {@link #start}, takes events and puts triggers; {@link #close} (from
 * any thread) stops it. The directory map is touched only by that thread after start.
 */
final class SourceWatcher implements AutoCloseable {
    private final Path root;
    private final BlockingQueue<Trigger> triggers;
    private final WatchService service;
    private final Map<WatchKey, Path> directories = new ConcurrentHashMap<>();
    private final Thread thread;

    private SourceWatcher(Path root, BlockingQueue<Trigger> triggers) throws IOException {
        this.root = root;
        this.triggers = triggers;
        this.service = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::watch, "workbook-source-watcher");
        thread.setDaemon(true);
    }

    /** Starts watching {@code root} and everything below it. */
    static SourceWatcher start(Path root, BlockingQueue<Trigger> triggers) {
        try {
            SourceWatcher watcher = new SourceWatcher(root, triggers);
            watcher.registerAll(root, false);
            watcher.thread.start();
            return watcher;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + root, e);
        }
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = service.take();
                Path dir = directories.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        triggers.add(new Trigger.Saved(root, System.nanoTime())); // too many to list: something changed
                    } else if (dir != null && event.context() instanceof Path name) {
                        changed(dir.resolve(name), event.kind() == StandardWatchEventKinds.ENTRY_CREATE);
                    }
                }
                if (!key.reset()) {
                    directories.remove(key); // the directory is gone
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: stop watching
        }
    }

    private void changed(Path path, boolean created) {
        if (created && Files.isDirectory(path)) {
            try {
                registerAll(path, true); // files may already be in it: they were created before we watched
            } catch (IOException | UncheckedIOException e) {
                // it vanished again, or cannot be read: nothing in it to run tests for
            }
        } else if (path.getFileName().toString().endsWith(".java")) {
            triggers.add(new Trigger.Saved(path, System.nanoTime()));
        }
    }

    /**
     * Registers {@code top} and every directory below it. Each directory is registered before its entries
     * are listed, so a file created meanwhile is either listed or reported by an event, never missed.
     */
    private void registerAll(Path top, boolean reportExisting) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                directories.put(key, dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (reportExisting && file.getFileName().toString().endsWith(".java")) {
                    triggers.add(new Trigger.Saved(file, System.nanoTime()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop watching " + root, e);
        }
    }
}
