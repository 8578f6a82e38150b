package org.mqworkbook.dispatch.load;

import org.HdrHistogram.Histogram;

/**
 * What one phase measured and checked. Times are nanoseconds; histograms record nanoseconds.
 *
 * @param messages        records the phase was to produce
 * @param acknowledged    records the broker acknowledged (on disk)
 * @param produceErrors   produce requests that failed
 * @param produceNanos    from the first send to the last acknowledgement
 * @param consumeNanos    from the first send to the first delivery of the last message (0 if incomplete)
 * @param delivered       messages delivered at least once
 * @param lost            acknowledged messages never delivered
 * @param duplicates      deliveries beyond the first
 * @param orderViolations first deliveries that came after a later record of the same key
 * @param offsetCommits   commit requests the consumers sent (one per owned partition per commit)
 * @param polls           polls that returned records
 * @param ackLatency      send → acknowledgement, per record
 * @param endToEnd        send → delivery to a consumer, per delivery (duplicates included)
 * @param commitLatency   one {@code GroupConsumer.commit()} call (all owned partitions)
 * @param failure         the first exception a producer or consumer thread died of, or null
 */
record PhaseResult(int messages, int acknowledged, long produceErrors, long produceNanos, long consumeNanos,
                   int delivered, int lost, long duplicates, long orderViolations, long offsetCommits, long polls,
                   Histogram ackLatency, Histogram endToEnd, Histogram commitLatency, String failure) {

    /** Acknowledged records per second. */
    double produceRate() {
        return produceNanos == 0 ? 0 : acknowledged * 1e9 / produceNanos;
    }

    /** Messages delivered (first time) per second, counted from the first send. */
    double consumeRate() {
        return consumeNanos == 0 ? 0 : delivered * 1e9 / consumeNanos;
    }

    /** Whether everything produced arrived, in order per key, with no error. */
    boolean correct() {
        return failure == null && produceErrors == 0 && acknowledged == messages && delivered == messages
            && lost == 0 && orderViolations == 0;
    }
}
