package org.mqworkbook.dispatch.topic;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mqworkbook.dispatch.partition.Murmur2Partitioner;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.Log;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.storage.TimestampOffset;

/**
 * A topic: a name and a number of partitions that can only grow, each of them a chapter 6 {@link Log} in its own
 * directory. Appends choose a partition with the {@link Murmur2Partitioner} (exercise 7.1), so a key
 * always lands on the same partition and its records keep their order there; reads name a partition and
 * an offset, as a Kafka fetch does. Thread safe: the partitioner and every log are.
 *
 * <pre>
 *  data/topics/                      one directory per partition, named as Kafka names them
 *  ├── orders-0/00000000000000000000.log  .index
 *  ├── orders-1/00000000000000000000.log  .index
 *  └── orders-2/00000000000000000000.log  .index
 * </pre>
 *
 * <p>The number of partitions is read back from the directories when the topic is reopened, and opening
 * it with another count is refused: with another count, {@code murmur2(key) % n} sends old keys to other
 * partitions, and a key's new records would no longer follow its old ones. Growing it is a deliberate
 * act, {@link #addPartitions}, as Kafka's {@code CreatePartitions} is (Kafka warns that keyed order
 * breaks across it); a partition is never removed.
 */
public final class Topic implements Closeable {
    /**
     * Kafka's rule for topic names: 1 to 249 characters from {@code [a-zA-Z0-9._-]}, but not {@code .} or
     * {@code ..}, which are directory names with a meaning of their own.
     */
    public static final Pattern LEGAL_NAME = Pattern.compile("(?!\\.{1,2}$)[a-zA-Z0-9._-]{1,249}");

    /** The most partitions one topic may have here; bounds the directories and logs a request can create. */
    public static final int MAX_PARTITIONS = 1024;
    /** For {@link #offsetForTime}: the log end offset instead of a time (where a consumer of new records starts). */
    public static final long LATEST = -1;
    /** For {@link #offsetForTime}: the log start offset instead of a time (the oldest record still held). */
    public static final long EARLIEST = -2;

    private final String name;
    /**
     * The partitions' logs, an immutable list replaced whole when partitions are added, so that a reader
     * takes one snapshot and never sees a half-grown topic. Written under {@code this} by
     * {@link #addPartitions}.
     */
    private volatile List<Log> partitions;
    private final Murmur2Partitioner partitioner;

    private Topic(String name, List<Log> partitions, Murmur2Partitioner partitioner) {
        this.name = name;
        this.partitions = List.copyOf(partitions);
        this.partitioner = partitioner;
    }

    /**
     * Opens the topic {@code name} in {@code parent} with the real disk: see
     * {@link #open(Path, String, int, LogConfig, FileOpener, Clock)}.
     */
    public static Topic open(Path parent, String name, int partitions, LogConfig config, Clock clock)
        throws IOException {
        return open(parent, name, partitions, config, FileOpener.REAL, clock);
    }

    /**
     * Creates the topic {@code name} with {@code partitions} partitions in {@code parent}, or reopens it
     * (recovering every partition's log, chapter 6) if its directories are already there.
     *
     * @param parent     the directory that holds every topic's partition directories
     * @param partitions how many partitions, 1 to {@link #MAX_PARTITIONS}
     * @throws IllegalArgumentException if the name is not {@link #LEGAL_NAME legal}, the count is out of
     *                                  range, or the topic exists on disk with another number of partitions
     */
    public static Topic open(Path parent, String name, int partitions, LogConfig config, FileOpener opener,
                             Clock clock) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!LEGAL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal topic name '" + name + "': use 1 to 249 characters "
                + "from a-z, A-Z, 0-9, '.', '_' and '-', other than '.' and '..'");
        }
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("topic " + name + " must have 1 to " + MAX_PARTITIONS
                + " partitions, not " + partitions);
        }
        // BEGIN EXERCISE 7.6
        int existing = partitionsOnDisk(parent, name);
        if (existing != 0 && existing != partitions) {
            throw new IllegalArgumentException("topic " + name + " has " + existing + " partitions in " + parent
                + ", not " + partitions + ": with another count, keys would move to other partitions");
        }
        Files.createDirectories(parent);
        List<Log> logs = new ArrayList<>(partitions);
        try {
            for (int p = 0; p < partitions; p++) {
                logs.add(Log.open(parent.resolve(name + "-" + p), config, opener, clock));
            }
        } catch (IOException | RuntimeException e) {
            for (Log log : logs) {
                try {
                    log.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new Topic(name, logs, new Murmur2Partitioner());
        // END EXERCISE 7.6
    }

    /**
     * How many partition directories {@code name-0}, {@code name-1}... exist in {@code parent}: 0 if
     * none. Numbers must run from 0 without a gap; a gap means someone deleted a partition by hand, and
     * the topic is refused rather than silently renumbered.
     *
     * @throws IllegalArgumentException if the numbers have a gap
     */
    public static int partitionsOnDisk(Path parent, String name) throws IOException {
        if (!Files.isDirectory(parent)) {
            return 0;
        }
        Pattern own = Pattern.compile(Pattern.quote(name) + "-(0|[1-9]\\d{0,3})"); // "-01": not ours
        List<Integer> numbers = new ArrayList<>();
        try (Stream<Path> entries = Files.list(parent)) {
            for (Path entry : entries.filter(Files::isDirectory).toList()) {
                Matcher m = own.matcher(entry.getFileName().toString());
                if (m.matches()) {
                    numbers.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        numbers.sort(null);
        for (int i = 0; i < numbers.size(); i++) {
            if (numbers.get(i) != i) {
                throw new IllegalArgumentException("topic " + name + " in " + parent + " has partition directories "
                    + numbers + ": partition " + i + " is missing");
            }
        }
        return numbers.size();
    }

    /**
     * Adds partitions until the topic has {@code newCount} (Kafka's {@code CreatePartitions}); a topic
     * never loses one. The new partitions start empty; the old ones keep every record and offset. From
     * now on a key may choose another partition ({@code murmur2(key) % newCount}), so a key's new
     * records can be read before its older ones still waiting in the old partition: per-key order holds
     * within each partition, not across the change (the chapter README says what to do about it).
     *
     * <p>The directories are created in partition order, each log opened (and so its directory made)
     * before the next, and the parent directory is forced at the end: a crash part-way leaves a topic
     * grown by fewer partitions than asked, never one with a gap, which {@link #partitionsOnDisk}
     * would refuse. Thread safe: concurrent appends and reads see the old partitions or the new list,
     * whole; two growths run one after the other.
     *
     * @return the partition count now
     * @throws IllegalArgumentException if {@code newCount} is below the current count or above
     *                                  {@link #MAX_PARTITIONS}
     */
    public synchronized int addPartitions(Path parent, int newCount, LogConfig config, FileOpener opener,
                                          Clock clock) throws IOException {
        List<Log> current = partitions;
        if (newCount < current.size()) {
            throw new IllegalArgumentException("topic " + name + " has " + current.size()
                + " partitions; partitions are never removed (keys and offsets live in them), so it cannot have "
                + newCount);
        }
        if (newCount > MAX_PARTITIONS) {
            throw new IllegalArgumentException("topic " + name + " may have at most " + MAX_PARTITIONS
                + " partitions, not " + newCount);
        }
        if (newCount == current.size()) {
            return newCount;
        }
        List<Log> grown = new ArrayList<>(current);
        try {
            for (int p = current.size(); p < newCount; p++) {
                grown.add(Log.open(parent.resolve(name + "-" + p), config, opener, clock));
                partitions = List.copyOf(grown); // each new partition is usable as soon as it exists
            }
        } finally {
            try (FileChannel directory = opener.open(parent.toAbsolutePath(), Set.of(StandardOpenOption.READ))) {
                directory.force(true); // the new directory entries survive a power cut
            }
        }
        return newCount;
    }

    /**
     * Appends a record to the partition its key chooses (a null key: the partitioner's round-robin) and
     * returns where it went. Not yet durable: see {@link #awaitDurable}.
     *
     * @throws IllegalArgumentException if the record is larger than the log accepts
     */
    public PartitionOffset append(byte[] key, byte[] value, List<Header> headers) throws IOException {
        // BEGIN EXERCISE 7.6
        int partition = partitioner.partition(key, partitionCount());
        return append(partition, key, value, headers);
        // END EXERCISE 7.6
    }

    /**
     * Appends a record to the given partition, whatever its key, as a Kafka producer may choose the
     * partition itself.
     *
     * @throws IllegalArgumentException if there is no such partition or the record is too large
     */
    public PartitionOffset append(int partition, byte[] key, byte[] value, List<Header> headers) throws IOException {
        // BEGIN EXERCISE 7.6
        long offset = log(partition).append(key, value, headers);
        return new PartitionOffset(new TopicPartition(name, partition), offset);
        // END EXERCISE 7.6
    }

    /** Returns once the record {@code record} names is on disk (chapter 6's group commit). */
    public void awaitDurable(PartitionOffset record) throws IOException, InterruptedException {
        if (!record.partition().topic().equals(name)) {
            throw new IllegalArgumentException(record + " is not a record of topic " + name);
        }
        log(record.partition().partition()).awaitDurable(record.offset());
    }

    /**
     * Reads records of one partition from {@code offset} on, about {@code maxBytes} of them (at least one
     * if there is one); nothing at the partition's end offset.
     *
     * @throws IllegalArgumentException                           if there is no such partition
     * @throws org.mqworkbook.storage.OffsetOutOfRangeException if the partition does not hold {@code offset}
     */
    public List<Record> read(int partition, long offset, int maxBytes) throws IOException {
        // BEGIN EXERCISE 7.6
        return log(partition).read(offset, maxBytes);
        // END EXERCISE 7.6
    }

    /**
     * Where {@code partition} reaches a time: the first record whose timestamp is at or after
     * {@code timestamp} (chapter 6's time index, exercise 6.7), or with {@link #LATEST} the log end offset and
     * with {@link #EARLIEST} the log start offset (timestamp -1: they name no record). The special values are
     * Kafka's {@code ListOffsets} ones.
     *
     * @return empty if no record is that late
     * @throws IllegalArgumentException if there is no such partition, or the timestamp is negative and neither
     *                                  {@link #LATEST} nor {@link #EARLIEST}
     */
    public Optional<TimestampOffset> offsetForTime(int partition, long timestamp) throws IOException {
        Log log = log(partition);
        if (timestamp == LATEST) {
            return Optional.of(new TimestampOffset(-1, log.nextOffset()));
        }
        if (timestamp == EARLIEST) {
            return Optional.of(new TimestampOffset(-1, log.logStartOffset()));
        }
        if (timestamp < 0) {
            throw new IllegalArgumentException("a timestamp is milliseconds since 1970, or " + LATEST + " for the "
                + "latest offset or " + EARLIEST + " for the earliest, not " + timestamp);
        }
        return log.offsetForTimestamp(timestamp);
    }

    /** The offset the next record of {@code partition} will get (Kafka's log end offset). */
    public long endOffset(int partition) {
        return log(partition).nextOffset();
    }

    /** The oldest offset {@code partition} still holds (Kafka's log start offset). */
    public long startOffset(int partition) {
        return log(partition).logStartOffset();
    }

    /** The topic's name. */
    public String name() {
        return name;
    }

    /** How many partitions the topic has. */
    public int partitionCount() {
        return partitions.size();
    }

    /** The log of one partition, for tests and tools that look at files. */
    public Log log(int partition) {
        List<Log> logs = partitions; // one snapshot: the check and the get see the same list
        if (partition < 0 || partition >= logs.size()) {
            throw new IllegalArgumentException("topic " + name + " has partitions 0 to " + (logs.size() - 1)
                + ", not " + partition);
        }
        return logs.get(partition);
    }

    /** Forces every partition's unflushed records to disk. */
    public void flush() throws IOException {
        for (Log log : partitions) {
            log.flush();
        }
    }

    /** Records, for each partition whose interval is due, how far its log is flushed (its recovery point). */
    public void checkpointRecoveryPointsIfDue() throws IOException {
        for (Log log : partitions) {
            log.checkpointRecoveryPointIfDue();
        }
    }

    /** Closes every partition's log; the first failure is thrown with the others suppressed. */
    @Override
    public void close() throws IOException {
        closeAll(partitions);
    }

    /**
     * Closes each of {@code resources}, all of them even if some fail; the first failure is thrown with
     * the others suppressed.
     */
    public static void closeAll(Iterable<? extends Closeable> resources) throws IOException {
        IOException failure = null;
        for (Closeable resource : resources) {
            try {
                resource.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Topic[" + name + ", " + partitions.size() + " partitions]";
    }
}
