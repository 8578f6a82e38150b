package org.mqworkbook.storage.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.inmemory.QueueJournal;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Log;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.OffsetOutOfRangeException;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 6.6, {@link LogJournal#recover()} on its own, without a broker around it: which messages a
 * restarted queue gets back, and which id it carries on from. README section "6.6 The durable broker",
 * Spec.
 */
@Exercise("6.6")
@Tag("6.6")
@Timeout(20)
class LogJournalTest {
    private static final String README = "README 6.6, Spec";
    /** Small segments, so that a few dozen messages make several and a checkpoint can delete some. */
    private static final LogConfig SMALL = LogConfig.DEFAULT.withSegmentBytes(300).withIndexIntervalBytes(64);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private LogJournal open() throws IOException {
        Log log = Log.open(dir.resolve("log"), SMALL, FileOpener.REAL, clock);
        return new LogJournal("q", log, AckCheckpoint.load(dir, FileOpener.REAL), 1_000);
    }

    private static void publish(LogJournal journal, int count) {
        for (int id = 0; id < count; id++) {
            journal.append(id, ("m" + id).getBytes(UTF_8));
        }
    }

    private static List<Long> ids(QueueJournal.Recovered recovered) {
        return recovered.unsettled().stream().map(QueueJournal.StoredMessage::id).toList();
    }

    @Test
    void aRestartRedeliversEveryUnsettledMessageAndNoSettledOneAboveTheFloor() throws IOException {
        try (LogJournal journal = open()) {
            publish(journal, 6);
            journal.settled(1);
            journal.settled(3); // acked out of order: the floor stays at 0, 1 and 3 are acks above it
        }

        try (LogJournal journal = open()) {
            QueueJournal.Recovered recovered = journal.recover();
            assertThat(ids(recovered)).as("0 is below no ack; 1 and 3 were settled above the floor and must not "
                + "come back (%s)", README).containsExactly(0L, 2L, 4L, 5L);
            assertThat(recovered.unsettled().get(1).body()).asString(UTF_8).isEqualTo("m2");
            assertThat(recovered.nextId()).isEqualTo(6);
        }
    }

    @Test
    void theNextIdIsTheLogsNextOffsetEvenWhenEveryMessageWasSettled() throws IOException {
        try (LogJournal journal = open()) {
            publish(journal, 5);
            for (long id = 0; id < 5; id++) {
                journal.settled(id);
            }
        }

        try (LogJournal journal = open()) {
            QueueJournal.Recovered recovered = journal.recover();
            assertThat(recovered.unsettled()).isEmpty();
            assertThat(recovered.nextId()).as("ids are never reused: message 5 is next, not 0 or the floor (%s)",
                README).isEqualTo(5);
        }
    }

    @Test
    void aLostAckCheckpointStartsRecoveryAtTheLogsStartNotAtOffsetZero() throws IOException {
        try (LogJournal journal = open()) {
            publish(journal, 30);
            for (long id = 0; id < 30; id++) {
                journal.settled(id);
            }
            journal.checkpoint(); // the floor is 30: the segments wholly below it are deleted
            assertThat(journal.log().logStartOffset()).as("the test needs deleted segments").isPositive();
        }
        long logStart;
        try (LogJournal journal = open()) {
            logStart = journal.log().logStartOffset();
        }
        Files.delete(dir.resolve(AckCheckpoint.FILE)); // the acks are lost: the floor is 0 again

        try (LogJournal journal = open()) {
            QueueJournal.Recovered recovered;
            try {
                recovered = journal.recover();
            } catch (OffsetOutOfRangeException e) {
                throw new AssertionError("the floor is 0 but the log starts at " + logStart + ": start reading at "
                    + "max(floor, logStartOffset()) (" + README + ")", e);
            }
            assertThat(ids(recovered)).as("nothing is settled any more: every message still in the log comes "
                + "back (%s)", README)
                .isNotEmpty().allMatch(id -> id >= logStart).last().isEqualTo(29L);
            assertThat(recovered.nextId()).isEqualTo(30);
        }
    }
}
