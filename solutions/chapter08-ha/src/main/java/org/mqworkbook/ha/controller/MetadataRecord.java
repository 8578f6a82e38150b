package org.mqworkbook.ha.controller;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One change to the cluster's metadata: what the controller writes to the Raft log, one record per entry, and
 * what every controller replays, in log order, into its {@link ClusterMetadata}. They are KRaft's metadata
 * records, fewer and shorter: {@code RegisterBrokerRecord}, {@code FenceBrokerRecord}, {@code
 * UnfenceBrokerRecord}, and {@code PartitionRecord} and {@code PartitionChangeRecord} as one record that
 * carries the partition's whole new state (Kafka's change record carries only the fields that change).
 *
 * <p>A record is one line of text ({@link #encode()}, {@link #decode(String)}). One decision of the controller
 * is one entry of the log, which holds its records separated by {@value #SEPARATOR} ({@link #encodeAll}, {@link
 * #decodeAll}), so that they are applied together or not at all; it is also what a failed simulation prints:
 * <pre>
 *  register-broker b2 epoch=14
 *  fence-broker b1 epoch=9; partition orders-0 replicas=b1,b2,b3 leader=b2 isr=b2,b3 leader-epoch=4 ...
 *      (one entry, two records)
 * </pre>
 */
public sealed interface MetadataRecord {
    /** What separates the records of one log entry. */
    String SEPARATOR = "; ";

    /** The record as one line. */
    String encode();

    /** A broker (re)registers in a new incarnation, fenced until its first heartbeat. */
    record RegisterBroker(String broker, long brokerEpoch) implements MetadataRecord {
        /** Checks the fields. */
        public RegisterBroker {
            Objects.requireNonNull(broker, "broker");
        }

        @Override
        public String encode() {
            return "register-broker " + broker + " epoch=" + brokerEpoch;
        }
    }

    /** The incarnation {@code brokerEpoch} of {@code broker} is fenced: its session lapsed. */
    record FenceBroker(String broker, long brokerEpoch) implements MetadataRecord {
        /** Checks the fields. */
        public FenceBroker {
            Objects.requireNonNull(broker, "broker");
        }

        @Override
        public String encode() {
            return "fence-broker " + broker + " epoch=" + brokerEpoch;
        }
    }

    /** The incarnation {@code brokerEpoch} of {@code broker} heartbeats: it may lead and be in an ISR. */
    record UnfenceBroker(String broker, long brokerEpoch) implements MetadataRecord {
        /** Checks the fields. */
        public UnfenceBroker {
            Objects.requireNonNull(broker, "broker");
        }

        @Override
        public String encode() {
            return "unfence-broker " + broker + " epoch=" + brokerEpoch;
        }
    }

    /** A partition is created, or changes to {@code state}. */
    record PartitionChange(PartitionState state) implements MetadataRecord {
        /** Checks the fields. */
        public PartitionChange {
            Objects.requireNonNull(state, "state");
        }

        @Override
        public String encode() {
            return "partition " + state.partition() + " replicas=" + String.join(",", state.replicas()) + " leader="
                + (state.leader() == null ? "-" : state.leader()) + " isr=" + String.join(",", state.isr())
                + " leader-epoch=" + state.leaderEpoch() + " partition-epoch=" + state.partitionEpoch();
        }
    }

    /**
     * Reads a record back from its line.
     *
     * @throws IllegalArgumentException naming the line, if it is not one {@link #encode()} writes
     */
    static MetadataRecord decode(String line) {
        String[] words = line.split(" ");
        if (words.length < 3) {
            throw new IllegalArgumentException("not a metadata record: \"" + line + "\"");
        }
        Map<String, String> fields = new HashMap<>();
        for (String word : Arrays.asList(words).subList(2, words.length)) {
            int equals = word.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("not a field=value pair: \"" + word + "\" in \"" + line + "\"");
            }
            fields.put(word.substring(0, equals), word.substring(equals + 1));
        }
        try {
            return switch (words[0]) {
                case "register-broker" -> new RegisterBroker(words[1], Long.parseLong(field(fields, "epoch", line)));
                case "fence-broker" -> new FenceBroker(words[1], Long.parseLong(field(fields, "epoch", line)));
                case "unfence-broker" -> new UnfenceBroker(words[1], Long.parseLong(field(fields, "epoch", line)));
                case "partition" -> {
                    String leader = field(fields, "leader", line);
                    yield new PartitionChange(new PartitionState(words[1], list(field(fields, "replicas", line)),
                        leader.equals("-") ? null : leader, list(field(fields, "isr", line)),
                        Integer.parseInt(field(fields, "leader-epoch", line)),
                        Integer.parseInt(field(fields, "partition-epoch", line))));
                }
                default -> throw new IllegalArgumentException("unknown metadata record \"" + words[0] + "\" in \""
                    + line + "\"");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a number that is not one in \"" + line + "\"", e);
        }
    }

    /** The records of one decision, as the command of one log entry. */
    static String encodeAll(List<MetadataRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an entry holds at least one record");
        }
        return String.join(SEPARATOR, records.stream().map(MetadataRecord::encode).toList());
    }

    /** The records of one log entry's command. */
    static List<MetadataRecord> decodeAll(String command) {
        return Arrays.stream(command.split(SEPARATOR)).map(MetadataRecord::decode).toList();
    }

    private static String field(Map<String, String> fields, String name, String line) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no " + name + "= in \"" + line + "\"");
        }
        return value;
    }

    private static List<String> list(String commaSeparated) {
        return List.of(commaSeparated.split(","));
    }
}
