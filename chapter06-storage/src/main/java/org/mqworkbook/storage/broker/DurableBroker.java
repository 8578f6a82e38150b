package org.mqworkbook.storage.broker;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.QueueConfig;
import org.mqworkbook.inmemory.QueueJournal;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Log;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.StorageException;

/**
 * Chapter 5's {@link Broker}, with every queue journaled to disk: open it on a data directory and it
 * re-declares the queues it had, each with its unacknowledged messages ready again. Serve it with chapter
 * 5's {@code BrokerServer}: nothing in the network layer changes.
 *
 * <p>Methods of this class are thread safe. The journals map is concurrent; each journal is thread safe.
 */
public final class DurableBroker implements Closeable {
    private static final String QUEUE_FILE = "queue.properties";

    private final Path dataDir;
    private final Clock clock;
    private final LogConfig logConfig;
    private final FileOpener opener;
    private final int checkpointEvery;
    private final Map<String, LogJournal> journals = new ConcurrentHashMap<>();
    private final List<String> recoveryReport = new CopyOnWriteArrayList<>();
    private final Broker broker;

    private DurableBroker(Path dataDir, Clock clock, LogConfig logConfig, FileOpener opener, int checkpointEvery) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.logConfig = logConfig;
        this.opener = opener;
        this.checkpointEvery = checkpointEvery;
        this.broker = new Broker(clock, this::openJournal);
    }

    /**
     * Opens the broker stored in {@code dataDir} (created if missing) and re-declares its queues.
     *
     * @param checkpointEvery write a queue's ack checkpoint after this many acks (and on every tick)
     */
    public static DurableBroker open(Path dataDir, Clock clock, LogConfig logConfig, FileOpener opener,
                                     int checkpointEvery) throws IOException {
        Files.createDirectories(dataDir);
        DurableBroker durable = new DurableBroker(dataDir, clock, logConfig, opener, checkpointEvery);
        List<Path> queueDirs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(dataDir)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve(QUEUE_FILE))).sorted().forEach(queueDirs::add);
        }
        for (Path queueDir : queueDirs) {
            durable.broker.declareQueue(queueDir.getFileName().toString(), readConfig(queueDir.resolve(QUEUE_FILE)));
        }
        return durable;
    }

    /** The broker to serve: chapter 5's, with durable queues. */
    public Broker broker() {
        return broker;
    }

    /** The journal of {@code queue}, if declared. */
    public LogJournal journal(String queue) {
        return journals.get(queue);
    }

    /** Timer work: the broker's expiries, each log's flush policy, each queue's ack checkpoint. */
    public void tick() throws IOException {
        broker.tick();
        for (LogJournal journal : journals.values()) {
            journal.tick();
            journal.checkpoint();
        }
    }

    private QueueJournal openJournal(String queue, QueueConfig config) {
        Path queueDir = dataDir.resolve(queue);
        try {
            Files.createDirectories(queueDir);
            Path configFile = queueDir.resolve(QUEUE_FILE);
            if (!Files.exists(configFile)) {
                writeConfig(configFile, config);
            }
            Log log = Log.open(queueDir.resolve("log"), logConfig, opener, clock);
            log.recoveryReport().forEach(line -> recoveryReport.add("queue '" + queue + "': " + line));
            LogJournal journal = new LogJournal(queue, log, loadAcks(queue, queueDir), checkpointEvery);
            journals.put(queue, journal);
            return journal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the storage of queue '" + queue + "' in " + queueDir, e);
        }
    }

    /**
     * The queue's ack checkpoint. A corrupt one is not a reason to refuse to start (a broker that cannot
     * start is down, and restarting it again changes nothing): it is kept aside, never deleted, and the
     * queue starts with no acks — every message in the log is delivered again, which at-least-once allows.
     */
    private AckCheckpoint loadAcks(String queue, Path queueDir) throws IOException {
        try {
            return AckCheckpoint.load(queueDir, opener);
        } catch (StorageException corrupt) {
            Path aside = queueDir.resolve(AckCheckpoint.FILE + ".corrupt-" + clock.millis());
            Files.move(queueDir.resolve(AckCheckpoint.FILE), aside);
            recoveryReport.add("queue '" + queue + "': " + corrupt.getMessage() + "; kept aside as "
                + aside.getFileName() + "; every message still in the log will be delivered again");
            return AckCheckpoint.load(queueDir, opener);
        }
    }

    /** What opening found: truncated logs, quarantined files, corrupt checkpoints kept aside. */
    public List<String> recoveryReport() {
        return List.copyOf(recoveryReport);
    }

    /** The configuration, written to a temporary file and renamed into place, so never half written. */
    private static void writeConfig(Path file, QueueConfig config) throws IOException {
        Properties p = new Properties();
        p.setProperty("capacity", String.valueOf(config.capacity()));
        p.setProperty("visibilityTimeoutMillis", String.valueOf(config.visibilityTimeout().toMillis()));
        p.setProperty("maxInFlight", String.valueOf(config.maxInFlight()));
        p.setProperty("maxWaiters", String.valueOf(config.maxWaiters()));
        p.setProperty("maxMessageBytes", String.valueOf(config.maxMessageBytes()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(out, "queue configuration; written once, when the queue was declared");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static QueueConfig readConfig(Path file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        try {
            return new QueueConfig(Integer.parseInt(p.getProperty("capacity")),
                Duration.ofMillis(Long.parseLong(p.getProperty("visibilityTimeoutMillis"))),
                Integer.parseInt(p.getProperty("maxInFlight")), Integer.parseInt(p.getProperty("maxWaiters")),
                Integer.parseInt(p.getProperty("maxMessageBytes")));
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a valid queue configuration: " + e.getMessage(), e);
        }
    }

    /** Checkpoints every queue and closes its log. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (LogJournal journal : journals.values()) {
            try {
                journal.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
