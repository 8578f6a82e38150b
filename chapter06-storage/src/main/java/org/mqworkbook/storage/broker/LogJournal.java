package org.mqworkbook.storage.broker;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.mqworkbook.inmemory.BrokerException;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.QueueJournal;
import org.mqworkbook.marker.ExerciseNotDone;
import org.mqworkbook.storage.Log;
import org.mqworkbook.storage.Record;
import org.mqworkbook.storage.UnreadableOffsetsException;

/**
 * A queue's journal on a {@link Log} and an {@link AckCheckpoint} (exercise 6.6): chapter 5's
 * {@code MessageQueue} calls it, through the {@link QueueJournal} seam, and becomes durable.
 *
 * <p>Message ids are log offsets: the queue appends in id order under its lock, and the log gives the
 * next offset, so the two stay equal — {@link #append} checks it rather than trusting it.
 *
 * <p>Acknowledgements are checkpointed every {@code checkpointEvery} settles and on {@link #checkpoint()}
 * (the broker's timer, and close). An ack that was not yet checkpointed when the broker crashed is lost,
 * and its message is delivered again after the restart: at-least-once, never a loss.
 *
 * <p>Methods of this class are thread safe: the log and the checkpoint are; {@link #settledSinceCheckpoint}
 * is guarded by {@code this}.
 */
public final class LogJournal implements QueueJournal, Closeable {
    private final String queue;
    private final Log log;
    private final AckCheckpoint acks;
    private final int checkpointEvery;
    /** Settles since the last checkpoint. Guarded by {@code this}. */
    private int settledSinceCheckpoint;

    public LogJournal(String queue, Log log, AckCheckpoint acks, int checkpointEvery) {
        this.queue = queue;
        this.log = log;
        this.acks = acks;
        this.checkpointEvery = checkpointEvery;
    }

    /**
     * What to deliver again after a restart: every record of the log from the ack floor (or the log's
     * start, if retention went further) to its end that the checkpoint does not count as settled, oldest
     * first; and the next id, which is the log's next offset — ids are never reused. Read in batches with
     * {@link #readFrom} until a batch comes back empty.
     */
    @Override
    public Recovered recover() {
        // BEGIN EXERCISE 6.6
        throw new ExerciseNotDone("6.6");
        // END EXERCISE 6.6
    }

    /**
     * The log's records from {@code offset} on, about a megabyte of them; empty at the end. Offsets that
     * damage on disk made unreadable are skipped — recovery kept their bytes aside and put them in the log's
     * recovery report, which the broker prints — and the rest is read: one bad sector must not keep a queue
     * from starting, and the messages after it are as acknowledged as the ones before. The skipped messages
     * count as settled ({@link AckCheckpoint#settleUnreadable}), so that they do not hold the ack floor back.
     */
    private List<Record> readFrom(long offset) throws IOException {
        long from = offset;
        while (true) {
            try {
                return log.read(from, 1 << 20);
            } catch (UnreadableOffsetsException e) {
                acks.settleUnreadable(e.firstOffset(), e.lastOffset());
                from = e.lastOffset() + 1;
            }
        }
    }

    @Override
    public void append(long id, byte[] body) {
        long offset;
        try {
            offset = log.append(null, body, List.of());
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "queue '" + queue + "' cannot store message " + id
                + ": " + e.getMessage());
        }
        if (offset != id) {
            throw new IllegalStateException("queue '" + queue + "' gave message id " + id + " but its log offset "
                + offset + ": they must move together");
        }
    }

    @Override
    public void awaitDurable(long id) throws InterruptedException {
        try {
            log.awaitDurable(id);
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "queue '" + queue + "' cannot make message " + id
                + " durable: " + e.getMessage());
        }
    }

    /**
     * Records the settle in the checkpoint and writes the checkpoint every {@code checkpointEvery}
     * settles ({@link #checkpoint()}).
     */
    @Override
    public void settled(long id) {
        // BEGIN EXERCISE 6.6
        throw new ExerciseNotDone("6.6");
        // END EXERCISE 6.6
    }

    /**
     * Writes the ack checkpoint, then deletes the log segments wholly below the ack floor: settled
     * messages are never read again, so they need not be kept.
     */
    public void checkpoint() {
        synchronized (this) {
            settledSinceCheckpoint = 0;
        }
        try {
            acks.write();
            log.deleteSegmentsBelow(acks.floor());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot checkpoint the acks of queue '" + queue + "'", e);
        }
    }

    /** The log's timer work: flush by policy, and now and then record how far the log is flushed. */
    public void tick() throws IOException {
        log.flushIfDue();
        log.checkpointRecoveryPointIfDue();
    }

    public Log log() {
        return log;
    }

    public AckCheckpoint acks() {
        return acks;
    }

    @Override
    public void close() throws IOException {
        checkpoint();
        log.close();
    }
}
