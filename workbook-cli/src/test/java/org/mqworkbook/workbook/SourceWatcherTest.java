package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real file events: the one place in these tests where another thread's effect is awaited. */
@Timeout(30)
class SourceWatcherTest {
    @TempDir
    Path root;

    private final BlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();
    private SourceWatcher watcher;

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private boolean savedSeen(Path file) {
        return triggers.stream().anyMatch(t -> t instanceof Trigger.Saved s && s.file().equals(file));
    }

    @Test
    void reportsASavedJavaFileInASubdirectory() throws Exception {
        Path dir = Files.createDirectories(root.resolve("org/example"));
        watcher = SourceWatcher.start(root, triggers);
        Path source = dir.resolve("Queue.java");

        Files.writeString(source, "class Queue {}");

        await("a save of " + source + " is reported").atMost(Duration.ofSeconds(20)).until(() -> savedSeen(source));
    }

    @Test
    void ignoresFilesThatAreNotJavaSources() throws Exception {
        watcher = SourceWatcher.start(root, triggers);
        Path source = root.resolve("Queue.java");

        Files.writeString(root.resolve(".Queue.java.swp"), "editor state");
        Files.writeString(source, "class Queue {}");

        await("the save of the source is reported").atMost(Duration.ofSeconds(20)).until(() -> savedSeen(source));
        assertThat(triggers).allSatisfy(t -> assertThat(((Trigger.Saved) t).file().getFileName().toString())
            .endsWith(".java"));
    }

    @Test
    void watchesADirectoryCreatedAfterItStarted() throws Exception {
        watcher = SourceWatcher.start(root, triggers);
        Path dir = Files.createDirectories(root.resolve("org/example"));
        Path source = dir.resolve("Broker.java");

        Files.writeString(source, "class Broker {}");

        await("a save in a new directory is reported").atMost(Duration.ofSeconds(20)).until(() -> savedSeen(source));
    }
}
