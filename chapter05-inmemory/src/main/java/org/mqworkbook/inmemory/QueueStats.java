package org.mqworkbook.inmemory;

/**
 * A snapshot of one queue's counters, taken under its lock.
 *
 * @param ready         messages waiting to be delivered
 * @param inFlight      messages delivered and not yet acknowledged
 * @param waiters       long-poll receivers parked on the queue
 * @param subscriptions push consumers subscribed to the queue
 * @param published     messages accepted since the queue was declared
 * @param acknowledged  messages acknowledged since the queue was declared
 * @param redelivered   deliveries returned to the queue (expired, rejected or consumer gone)
 */
public record QueueStats(int ready, int inFlight, int waiters, int subscriptions, long published,
                         long acknowledged, long redelivered) {
}
