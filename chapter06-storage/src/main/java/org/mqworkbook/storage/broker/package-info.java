/**
 * Exercise 6.6: chapter 5's broker made durable. Each queue keeps its messages in a {@code Log} and its
 * acknowledgements in an {@link org.mqworkbook.storage.broker.AckCheckpoint}; the two meet in a
 * {@link org.mqworkbook.storage.broker.LogJournal}, which plugs into chapter 5's {@code QueueJournal} seam.
 *
 * <pre>
 *  dataDir/orders/queue.config            the queue's declaration (a CheckpointFile), so a restart re-declares it
 *  dataDir/orders/log/000…000.log .index  every message published, offset = message id
 *  dataDir/orders/acks.checkpoint         the ack floor + acks above it (temp, fsync, rename, fsync dir)
 *
 *  publish ─► MessageQueue ─► LogJournal.append ─► Log.append          (page cache)
 *                        └──► LogJournal.awaitDurable ─► group commit   (fsync) ─► "stored"
 *  ack ─────► MessageQueue ─► LogJournal.settled ─► AckCheckpoint       (written every N acks / tick)
 *  restart ─► LogJournal.recover: log records from the floor on, minus the settled ones ─► ready again
 * </pre>
 */
package org.mqworkbook.storage.broker;
