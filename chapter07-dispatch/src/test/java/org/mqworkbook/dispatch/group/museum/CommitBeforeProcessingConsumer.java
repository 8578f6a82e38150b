package org.mqworkbook.dispatch.group.museum;

import java.util.List;
import java.util.function.Consumer;

/**
 * A consumer loop that commits its offset <em>before</em> processing the batch it polled: at most once.
 * This class is not thread safe; one test thread drives it.
 *
 * <p>It looks harmless, and it never processes a message twice. But a crash after the commit and before
 * the processing leaves the committed offset past messages nobody processed, and the next owner of the
 * partition starts from that offset: they are lost. Kafka's consumer does exactly this when
 * {@code enable.auto.commit} commits on the next {@code poll()} while the application hands records to
 * another thread; the fix is the loop of exercise 7.2, commit after processing.
 */
final class CommitBeforeProcessingConsumer {
    /** Where the group's committed offset for the one partition lives: shared by successive owners. */
    static final class OffsetStore {
        long committed;
    }

    /** Thrown by the crash hook to stop the loop where a real process would die. */
    static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash() {
            super("crashed", null, false, false);
        }
    }

    private final List<String> partition;
    private final OffsetStore offsets;
    private final Consumer<String> process;

    CommitBeforeProcessingConsumer(List<String> partition, OffsetStore offsets, Consumer<String> process) {
        this.partition = partition;
        this.offsets = offsets;
        this.process = process;
    }

    /**
     * Polls up to {@code batch} records from the committed offset, commits, then processes them.
     *
     * @param crashAfterCommit run between the commit and the processing; a test throws {@link Crash} here
     * @return false once the partition is exhausted
     */
    boolean pollOnce(int batch, Runnable crashAfterCommit) {
        int from = (int) offsets.committed;
        int to = Math.min(partition.size(), from + batch);
        if (from == to) {
            return false;
        }
        List<String> records = List.copyOf(partition.subList(from, to));
        offsets.committed = to; // the mistake: the group now believes these records are done
        crashAfterCommit.run();
        records.forEach(process);
        return true;
    }
}
