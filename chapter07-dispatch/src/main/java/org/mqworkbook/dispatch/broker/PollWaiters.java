package org.mqworkbook.dispatch.broker;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mqworkbook.dispatch.partition.TopicPartition;

/**
 * The long polls parked in the broker ({@link BrokerApi#poll}), by partition: when a record is appended
 * to a partition, every poll parked on it is woken. Thread safe: appends wake polls from the producers'
 * threads while polls park on their callers' threads and time out on the API's poll threads.
 *
 * <p>A poll parked on several partitions is woken once, by the first append to any of them or by its
 * timeout, whichever comes first; it then leaves every partition's set, so nothing stays behind for a
 * partition that never gets another record. Parked polls are bounded: each is a request in flight of
 * its connection, and connections and their requests in flight are limited.
 */
final class PollWaiters {
    /** One parked poll: the partitions it waits on and what to do, once, when it is woken. */
    final class Parked {
        private final List<TopicPartition> partitions;
        private final Runnable wake;
        private final AtomicBoolean woken = new AtomicBoolean();

        private Parked(List<TopicPartition> partitions, Runnable wake) {
            this.partitions = List.copyOf(partitions);
            this.wake = wake;
        }

        /** Runs the wake-up if nothing ran it before, after leaving every partition's set. */
        void wake() {
            if (woken.compareAndSet(false, true)) {
                for (TopicPartition partition : partitions) {
                    Set<Parked> parked = byPartition.get(partition);
                    if (parked != null) {
                        parked.remove(this);
                    }
                }
                wake.run();
            }
        }
    }

    private final Map<TopicPartition, Set<Parked>> byPartition = new ConcurrentHashMap<>();

    /**
     * Parks a poll on {@code partitions}. The caller must check for records that arrived just before
     * (between its empty fetch and this call) and wake the poll itself if there are any.
     *
     * @param wake what to do once woken; runs on the waking thread, so it should only hand work over
     */
    Parked park(List<TopicPartition> partitions, Runnable wake) {
        Parked parked = new Parked(partitions, wake);
        for (TopicPartition partition : partitions) {
            byPartition.computeIfAbsent(partition, p -> ConcurrentHashMap.newKeySet()).add(parked);
        }
        return parked;
    }

    /** A record was appended to {@code partition}: wakes every poll parked on it. */
    void appended(TopicPartition partition) {
        Set<Parked> parked = byPartition.get(partition);
        if (parked != null && !parked.isEmpty()) {
            for (Parked poll : List.copyOf(parked)) {
                poll.wake();
            }
        }
    }

    /** How many polls are parked now (on at least one partition). */
    int parkedCount() {
        return (int) byPartition.values().stream().flatMap(Set::stream).distinct().count();
    }
}
