package org.mqworkbook.dispatch.load;

import java.time.Duration;

/**
 * What one phase of a load run does, whatever the number of partitions.
 *
 * @param producers  producer connections, each pipelining its own keys
 * @param consumers  members of the consumer group, each with its own connection
 * @param messages   records produced in the phase, over every producer
 * @param size       bytes of each record's value (at least {@link Payload#HEADER_BYTES})
 * @param keys       distinct keys; each belongs to one producer, so its order is that producer's order
 * @param window     produce requests a producer may have unanswered at once
 * @param fetchBytes about how many bytes a consumer fetches from one partition per poll
 * @param commitEvery a consumer commits after every this many polls that returned records (1: after each)
 * @param timeout    how long a phase may take before it is stopped and reported incomplete
 */
record LoadSettings(int producers, int consumers, int messages, int size, int keys, int window, int fetchBytes,
                    int commitEvery, Duration timeout) {
    /** Checks the numbers. */
    LoadSettings {
        if (producers < 1 || consumers < 1 || messages < 0 || keys < producers || window < 1 || fetchBytes < 1
            || commitEvery < 1) {
            throw new IllegalArgumentException("need at least 1 producer, 1 consumer, as many keys as producers, "
                + "a window, a fetch size and a commit interval of at least 1, and no negative message count");
        }
        if (size < Payload.HEADER_BYTES) {
            throw new IllegalArgumentException("--size must be at least " + Payload.HEADER_BYTES
                + " bytes: a value carries the send time, key, sequence and id");
        }
    }

    /** The same settings with another message count (the warm-up's). */
    LoadSettings withMessages(int count) {
        return new LoadSettings(producers, consumers, count, size, keys, window, fetchBytes, commitEvery, timeout);
    }
}
