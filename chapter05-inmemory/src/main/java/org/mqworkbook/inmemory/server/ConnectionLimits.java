package org.mqworkbook.inmemory.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What a server allows one client's connections, so that no client — careless or hostile — can lock the
 * others out or make the server hold memory without bound. Used through a {@link ConnectionGuard}; chapter
 * 7's server uses the same limits.
 *
 * @param maxConnections           connections served at once; beyond it a new one evicts the oldest silent or
 *                                 stalled connection or is refused (Kafka has {@code max.connections})
 * @param maxConnectionsPerAddress connections from one remote address (Kafka's
 *                                 {@code max.connections.per.ip}); on loopback every client shares one
 * @param firstRequestTimeout      a connection that has not sent one whole request this long after it opened
 *                                 is closed: it cannot hold a place by saying nothing
 * @param idleTimeout              a connection that reads nothing and is sent nothing this long, while it waits
 *                                 for nothing (no long poll, no subscription), is closed (Kafka's
 *                                 {@code connections.max.idle.ms}, 10 minutes); so is one that has not taken
 *                                 its answers (outbound above the high water mark) for this long
 * @param evictionAge              when the server is full, a connection silent this long (no whole request
 *                                 yet), or stalled this long (not taking its answers), gives its place to a
 *                                 new one
 * @param writeBufferLowWaterMark  outbound bytes below which a connection is writable again
 * @param writeBufferHighWaterMark outbound bytes above which it is not: the server stops reading the client's
 *                                 requests until it has read the answers (a slow consumer is slowed, not
 *                                 buffered for)
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerAddress, Duration firstRequestTimeout,
                               Duration idleTimeout, Duration evictionAge, int writeBufferLowWaterMark,
                               int writeBufferHighWaterMark) {

    /** 256 connections (all from one address if need be), 10 s to the first request, 10 min idle, 64 KiB. */
    public static final ConnectionLimits DEFAULT = new ConnectionLimits(256, 256, Duration.ofSeconds(10),
        Duration.ofMinutes(10), Duration.ofSeconds(1), 32 * 1024, 64 * 1024);

    public ConnectionLimits {
        Objects.requireNonNull(firstRequestTimeout, "firstRequestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(evictionAge, "evictionAge");
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("maxConnections and maxConnectionsPerAddress must be at least 1, were "
                + maxConnections + " and " + maxConnectionsPerAddress);
        }
        if (firstRequestTimeout.isNegative() || firstRequestTimeout.isZero() || idleTimeout.isNegative()
            || idleTimeout.isZero() || evictionAge.isNegative()) {
            throw new IllegalArgumentException("the timeouts must be positive (the eviction age may be 0), were "
                + firstRequestTimeout + ", " + idleTimeout + " and " + evictionAge);
        }
        if (writeBufferLowWaterMark < 1 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("need 0 < low water mark <= high water mark, were "
                + writeBufferLowWaterMark + " and " + writeBufferHighWaterMark);
        }
    }

    public ConnectionLimits withMaxConnections(int connections, int perAddress) {
        return new ConnectionLimits(connections, perAddress, firstRequestTimeout, idleTimeout, evictionAge,
            writeBufferLowWaterMark, writeBufferHighWaterMark);
    }

    public ConnectionLimits withTimeouts(Duration firstRequest, Duration idle, Duration eviction) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, firstRequest, idle, eviction,
            writeBufferLowWaterMark, writeBufferHighWaterMark);
    }

    public ConnectionLimits withWriteBufferWaterMarks(int low, int high) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, firstRequestTimeout, idleTimeout,
            evictionAge, low, high);
    }
}
