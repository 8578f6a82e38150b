package org.mqworkbook.testkit.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The smallest storage a crash sweep can test: a file of length-prefixed records, forced every few
 * records. Each record is two writes, its 4-byte length and then its payload, so that a crash can cut
 * between them as well as inside either. Instances are immutable; a sweep may run several at once.
 *
 * <pre>
 *   ┌──────────┬──────────────┬──────────┬─────────────────┬───
 *   │ length 4 │ "r0-"        │ length 5 │ "r1-x"          │ …
 *   └──────────┴──────────────┴──────────┴─────────────────┴───
 * </pre>
 *
 * <p>Recovery reads records until the first one that is not whole; without a checksum it cannot tell
 * garbage from data, so sweeps of this scenario do not use {@link CrashMode#TEAR_WITH_GARBAGE}.
 * {@link #acknowledgingBeforeForcing} makes the known-bad variant that a sweep must catch.
 */
class RecordLogScenario implements CrashScenario<String> {

    static final String FILE_NAME = "records.log";

    private final int records;
    private final int forceEvery;
    private final boolean acknowledgesBeforeForcing;

    /** A log that acknowledges each batch of {@code forceEvery} records once it has forced them. */
    RecordLogScenario(int records, int forceEvery) {
        this(records, forceEvery, false);
    }

    private RecordLogScenario(int records, int forceEvery, boolean acknowledgesBeforeForcing) {
        this.records = records;
        this.forceEvery = forceEvery;
        this.acknowledgesBeforeForcing = acknowledgesBeforeForcing;
    }

    /**
     * The known-bad log: it acknowledges each record as soon as it is written, before the force that
     * would make it durable. A sweep must catch it.
     */
    static RecordLogScenario acknowledgingBeforeForcing(int records, int forceEvery) {
        return new RecordLogScenario(records, forceEvery, true);
    }

    /** The payload of record {@code i}. */
    static String payload(int i) {
        return "r" + i + "-" + "x".repeat(i);
    }

    /**
     * The mutating operations this workload makes: two writes per record, a force every
     * {@code forceEvery} records, and a last force if records remain unforced.
     */
    int operations() {
        return 2 * records + (records + forceEvery - 1) / forceEvery;
    }

    @Override
    public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) throws IOException {
        List<String> unforced = new ArrayList<>();
        try (FileChannel log = disk.open(directory.resolve(FILE_NAME), Set.of(CREATE, WRITE))) {
            for (int i = 0; i < records; i++) {
                byte[] payload = payload(i).getBytes(UTF_8);
                writeFully(log, ByteBuffer.allocate(4).putInt(payload.length).flip());
                writeFully(log, ByteBuffer.wrap(payload));
                if (acknowledgesBeforeForcing) {
                    acknowledged.add(payload(i)); // the bug: the page cache is not the disk
                }
                unforced.add(payload(i));
                if (unforced.size() == forceEvery || i == records - 1) {
                    log.force(false);
                    if (!acknowledgesBeforeForcing) {
                        acknowledged.addAll(unforced); // durable now, and not a moment before
                    }
                    unforced.clear();
                }
            }
        }
    }

    @Override
    public void check(Path directory, List<String> acknowledged) throws IOException {
        List<String> recovered = recover(directory);

        assertThat(recovered).as("every acknowledged record").containsAll(acknowledged);
        assertThat(recovered).as("no more records than were written").hasSizeLessThanOrEqualTo(records);
        assertThat(recovered).as("the records that were written, in order, up to the first torn one")
            .isEqualTo(allPayloads().subList(0, recovered.size()));
    }

    List<String> allPayloads() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            all.add(payload(i));
        }
        return all;
    }

    /** Reads whole records from the start of the log, through a real channel, up to the first torn one. */
    static List<String> recover(Path directory) throws IOException {
        List<String> recovered = new ArrayList<>();
        try (FileChannel log = FileChannel.open(directory.resolve(FILE_NAME), READ)) {
            ByteBuffer content = ByteBuffer.allocate((int) log.size());
            while (content.hasRemaining() && log.read(content) >= 0) {
                // read until full
            }
            content.flip();
            while (content.remaining() >= 4) {
                int length = content.getInt();
                if (length < 0 || length > content.remaining()) {
                    break;
                }
                byte[] payload = new byte[length];
                content.get(payload);
                recovered.add(new String(payload, UTF_8));
            }
        }
        return recovered;
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
