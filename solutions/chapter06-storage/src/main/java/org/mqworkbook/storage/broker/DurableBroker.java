package org.mqworkbook.storage.broker;

import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.QueueConfig;
import org.mqworkbook.inmemory.QueueJournal;
import org.mqworkbook.storage.CheckpointFile;
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
    /** The queue's declaration in its directory: a {@link CheckpointFile} of kind "QCFG". */
    public static final String QUEUE_FILE = "queue.config";
    private static final String QUEUE_KIND = "QCFG";
    private static final int QUEUE_VERSION = 1;

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
            durable.broker.declareQueue(queueDir.getFileName().toString(), durable.readConfig(queueDir));
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
            if (!Files.isDirectory(queueDir)) {
                Files.createDirectories(queueDir);
                forceDirectory(dataDir); // the new directory's entry in the data directory survives a crash
            }
            if (!Files.exists(queueDir.resolve(QUEUE_FILE))) {
                writeConfig(queueDir, config); // durable before declareQueue returns: a declared queue is kept
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

    private CheckpointFile configFile(Path queueDir) {
        return new CheckpointFile(queueDir.resolve(QUEUE_FILE), QUEUE_KIND, QUEUE_VERSION, opener);
    }

    /** The configuration, as {@code key=value} lines in a checkpoint file: never half written, and forced. */
    private void writeConfig(Path queueDir, QueueConfig config) throws IOException {
        Properties p = new Properties();
        p.setProperty("capacity", String.valueOf(config.capacity()));
        p.setProperty("visibilityTimeoutMillis", String.valueOf(config.visibilityTimeout().toMillis()));
        p.setProperty("maxInFlight", String.valueOf(config.maxInFlight()));
        p.setProperty("maxWaiters", String.valueOf(config.maxWaiters()));
        p.setProperty("maxMessageBytes", String.valueOf(config.maxMessageBytes()));
        StringWriter text = new StringWriter();
        p.store(text, "queue configuration; written once, when the queue was declared");
        configFile(queueDir).write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private QueueConfig readConfig(Path queueDir) throws IOException {
        CheckpointFile file = configFile(queueDir);
        ByteBuffer payload = file.read().orElseThrow(() -> new StorageException(file.file(), "is missing"))
            .payload();
        Properties p = new Properties();
        p.load(new StringReader(StandardCharsets.UTF_8.decode(payload).toString()));
        try {
            return new QueueConfig(Integer.parseInt(p.getProperty("capacity")),
                Duration.ofMillis(Long.parseLong(p.getProperty("visibilityTimeoutMillis"))),
                Integer.parseInt(p.getProperty("maxInFlight")), Integer.parseInt(p.getProperty("maxWaiters")),
                Integer.parseInt(p.getProperty("maxMessageBytes")));
        } catch (RuntimeException e) {
            throw new StorageException(file.file(), "is not a valid queue configuration: " + e.getMessage());
        }
    }

    private void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = opener.open(directory, Set.of(StandardOpenOption.READ))) {
            channel.force(true);
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
