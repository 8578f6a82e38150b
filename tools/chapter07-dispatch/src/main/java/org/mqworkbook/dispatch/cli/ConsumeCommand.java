package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.ConsumedRecord;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.DispatchException;
import org.mqworkbook.dispatch.client.GroupConsumer;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.storage.Record;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code mq7 consume}: one member of a consumer group, through {@link GroupConsumer}. It prints each
 * record as {@code orders-2@17 KEY VALUE} (a missing key as {@code -}, a tag as a trailing
 * {@code tag=T}) and commits after printing each poll's records: at least once, so a member killed
 * between printing and committing has its last records printed again by whoever takes over. It prints
 * {@code assigned generation 3: orders-0, orders-2} whenever it adopts a new assignment.
 *
 * <p>Ctrl-C or {@code kill} stops it gracefully: a shutdown hook lets the current poll finish, then the
 * member commits and leaves the group, which rebalances at once. {@code kill -9} gives it no chance: the
 * broker notices only when the member's session times out. The main thread runs the poll loop; the
 * shutdown hook only flips {@link #running} and waits for the loop to end.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Joins a consumer group and prints the records of its partitions, committing after each "
        + "poll. Runs until Ctrl-C, --max records, or --idle-exit without a record.")
final class ConsumeCommand implements Callable<Integer> {
    /**
     * How long a member that owns no partition waits before polling again (one that owns some waits in
     * the broker's long poll instead): no hot loop, and still a heartbeat well inside a session timeout.
     */
    private static final long IDLE_WAIT_MILLIS = 100;
    /** About how many bytes one poll fetches from each partition. */
    private static final int FETCH_BYTES_PER_PARTITION = 64 * 1024;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "TOPIC", arity = "1..*", description = "the topics to subscribe to")
    List<String> topics;

    @Option(names = {"-g", "--group"}, required = true, description = "the consumer group to join")
    String group;

    @Option(names = "--member", description = "this member's id (default: host-pid)")
    String member;

    @Option(names = "--instance-id", description = "join as a static member with this instance id (Kafka's "
        + "group.instance.id): restarted within the session timeout, with a new --member, it gets its partitions "
        + "back without a rebalance; on exit it commits but does not leave")
    String instanceId;

    @Option(names = "--filter", description = "a tag expression such as 'paid || shipped' (default: *, "
        + "everything)")
    String filter = "*";

    @Option(names = "--from-time", paramLabel = "TIME", description = "start this member's first partitions at "
        + "the first record written at or after TIME instead of at the group's committed offsets: an instant "
        + "(2026-12-07T14:05:00Z) or how long ago (15m, 2h)")
    String fromTime;

    @Option(names = "--max", description = "stop after this many records (default: no limit)")
    long max;

    @Option(names = "--idle-exit", converter = DurationConverter.class,
        description = "stop when no record has arrived for this long, e.g. 5s (default: never)")
    Duration idleExit;

    @Spec
    CommandSpec spec;

    /** Read by the poll loop (main thread), cleared by the shutdown hook. */
    private volatile boolean running = true;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (max < 0) {
            throw new ParameterException(spec.commandLine(), "--max must be positive, was " + max);
        }
        String memberId = member != null ? member : defaultMemberId();
        Instant start = fromTime == null ? null : parseTime(fromTime);
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            running = false;
            try {
                finished.await(5, TimeUnit.SECONDS); // the loop commits and leaves, then counts down
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "consumer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (DispatchClient client = connection.connect()) {
            consume(client, memberId, start, out);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running (Ctrl-C): it is waiting for the countDown above, which has happened
            }
        }
        return DispatchCli.OK;
    }

    /** {@code --from-time}: an ISO-8601 instant, or a duration before now. */
    private Instant parseTime(String value) {
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Instant.now().minus(new DurationConverter().convert(value));
            } catch (TypeConversionException notADuration) {
                throw new ParameterException(spec.commandLine(), "--from-time '" + value + "' is neither an instant "
                    + "(2026-12-07T14:05:00Z) nor how long ago (15m, 2h)");
            }
        }
    }

    private void consume(DispatchClient client, String memberId, Instant start, PrintWriter out)
        throws InterruptedException {
        GroupConsumer consumer = new GroupConsumer(client, group, memberId, topics, filter, FETCH_BYTES_PER_PARTITION)
            .onAssignment(assignment -> {
                out.println(describe(assignment));
                out.flush();
            });
        if (instanceId != null) {
            consumer.staticMember(instanceId);
        }
        if (start != null) {
            consumer.startFromTime(start);
        }
        long printed = 0;
        long lastRecordNanos = System.nanoTime();
        while (running) {
            List<ConsumedRecord> records = consumer.poll();
            int take = max == 0 ? records.size() : (int) Math.min(records.size(), max - printed);
            for (ConsumedRecord record : records.subList(0, take)) {
                out.println(format(record));
            }
            out.flush();
            printed += take;
            if (take < records.size()) {
                // --max cut this poll short: commit exactly what was printed, not the consumer's positions
                commitPrinted(client, memberId, consumer.generation(), records.subList(0, take),
                    records.subList(take, records.size()));
                if (instanceId == null) {
                    client.leave(group, memberId); // a static member stays: its restart takes the partitions back
                }
                return;
            }
            consumer.commit(); // after printing: a crash before this line means the records come again
            if (max != 0 && printed >= max) {
                break;
            }
            if (!records.isEmpty()) {
                lastRecordNanos = System.nanoTime();
            } else if (idleExit != null && System.nanoTime() - lastRecordNanos >= idleExit.toNanos()) {
                break;
            } else if (consumer.partitions().isEmpty()) {
                Thread.sleep(IDLE_WAIT_MILLIS); // owns nothing: a poll returns at once, so do not spin
            }
        }
        consumer.close(); // commits and leaves (a static member stays): the others take over now
    }

    /**
     * Commits, for each partition in this poll, the offset after its last printed record, or of its first
     * unprinted one, so that a record cut off by {@code --max} is read again by the next member.
     */
    private void commitPrinted(DispatchClient client, String memberId, int generation, List<ConsumedRecord> printed,
                               List<ConsumedRecord> notPrinted) {
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        for (ConsumedRecord record : printed) {
            next.put(record.partition(), record.record().offset() + 1);
        }
        for (ConsumedRecord record : notPrinted) {
            next.merge(record.partition(), record.record().offset(), Math::min);
        }
        try {
            for (Map.Entry<TopicPartition, Long> entry : next.entrySet()) {
                client.commit(group, memberId, generation, entry.getKey(), entry.getValue());
            }
        } catch (DispatchException e) {
            if (e.kind() != ErrorKind.ILLEGAL_GENERATION) {
                throw e;
            }
            // the group rebalanced meanwhile: the new owners re-read from the last commit (at least once)
        }
    }

    /** {@code assigned generation 3: orders-0, orders-2}, the line tests and people watch for. */
    static String describe(Assignment assignment) {
        return "assigned generation " + assignment.generation() + ": " + partitionList(assignment.partitions());
    }

    /** {@code orders-0, orders-2}, or {@code (none)}. */
    static String partitionList(List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return "(none)";
        }
        return partitions.stream().map(TopicPartition::toString).collect(Collectors.joining(", "));
    }

    /** {@code orders-2@17 KEY VALUE [tag=T]}. */
    static String format(ConsumedRecord consumed) {
        Record record = consumed.record();
        StringBuilder line = new StringBuilder()
            .append(consumed.partition()).append('@').append(record.offset()).append(' ')
            .append(record.key() == null ? "-" : new String(record.key(), StandardCharsets.UTF_8)).append(' ')
            .append(new String(record.value(), StandardCharsets.UTF_8));
        String tag = TopicBroker.tagOf(record);
        if (tag != null) {
            line.append(" tag=").append(tag);
        }
        return line.toString();
    }

    private static String defaultMemberId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost"; // the id only has to be unique in the group; the pid does most of that
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
