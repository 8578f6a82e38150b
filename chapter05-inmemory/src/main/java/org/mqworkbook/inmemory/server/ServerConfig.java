package org.mqworkbook.inmemory.server;

import java.time.Duration;
import java.util.Objects;
import org.mqworkbook.inmemory.protocol.Protocol;

/**
 * How a {@link BrokerServer} listens and how much work it takes on. Every number here bounds something:
 * threads, queued requests, bytes per frame, time to shut down.
 *
 * @param bindHost             the address to listen on; {@code 127.0.0.1} (this machine only) by default,
 *                             because the broker has no authentication
 * @param port                 the TCP port, or 0 for any free port ({@link BrokerServer#port()} tells which)
 * @param workerThreads        threads executing requests (Kafka's {@code num.io.threads})
 * @param requestQueueCapacity requests accepted and waiting for a worker; beyond it a request is answered
 *                             {@code BUSY} at once (Kafka's {@code queued.max.requests})
 * @param maxFrameBytes        the largest frame accepted or sent, counted after the length prefix
 * @param tickMillis           how often the timer calls {@link org.mqworkbook.inmemory.Broker#tick()} to
 *                             expire visibility timeouts and long polls; 0 starts no timer, for tests that
 *                             advance a manual clock and call {@code tick()} themselves
 * @param shutdownGrace        how long {@link BrokerServer#close()} waits for accepted requests to finish
 *                             and for answers to be flushed
 * @param maxInFlight          requests of one connection accepted and not yet answered; beyond it the server
 *                             stops reading that connection, and a request already read is answered
 *                             {@code BUSY} (Kafka's {@code max.in.flight.requests.per.connection} is the
 *                             client-side version)
 * @param connections          how many connections, how long they may be silent or idle, and the outbound
 *                             water marks ({@link ConnectionLimits})
 */
public record ServerConfig(String bindHost, int port, int workerThreads, int requestQueueCapacity,
                           int maxFrameBytes, long tickMillis, Duration shutdownGrace, int maxInFlight,
                           ConnectionLimits connections) {

    /** The port the command line uses unless told otherwise. */
    public static final int DEFAULT_PORT = 7070;

    /**
     * 127.0.0.1:7070, 4 workers, 1,024 queued requests, 1 MiB frames, a 50 ms tick, 5 s grace, 64 requests
     * in flight per connection, {@link ConnectionLimits#DEFAULT}.
     */
    public static final ServerConfig DEFAULT = new ServerConfig("127.0.0.1", DEFAULT_PORT, 4, 1024,
        Protocol.DEFAULT_MAX_FRAME_BYTES, 50, Duration.ofSeconds(5), 64, ConnectionLimits.DEFAULT);

    public ServerConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("workerThreads must be at least 1, was " + workerThreads);
        }
        if (requestQueueCapacity < 1) {
            throw new IllegalArgumentException(
                "requestQueueCapacity must be at least 1, was " + requestQueueCapacity);
        }
        if (maxFrameBytes < Protocol.HEADER_BYTES) {
            throw new IllegalArgumentException(
                "maxFrameBytes must be at least " + Protocol.HEADER_BYTES + ", was " + maxFrameBytes);
        }
        if (tickMillis < 0) {
            throw new IllegalArgumentException("tickMillis must not be negative, was " + tickMillis);
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative, was " + shutdownGrace);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        Objects.requireNonNull(connections, "connections");
    }

    /** This configuration listening on another address. */
    public ServerConfig bindHost(String newBindHost) {
        return new ServerConfig(newBindHost, port, workerThreads, requestQueueCapacity, maxFrameBytes,
            tickMillis, shutdownGrace, maxInFlight, connections);
    }

    /** This configuration on another port; 0 for any free port. */
    public ServerConfig port(int newPort) {
        return new ServerConfig(bindHost, newPort, workerThreads, requestQueueCapacity, maxFrameBytes,
            tickMillis, shutdownGrace, maxInFlight, connections);
    }

    /** This configuration with another number of worker threads. */
    public ServerConfig workerThreads(int newWorkerThreads) {
        return new ServerConfig(bindHost, port, newWorkerThreads, requestQueueCapacity, maxFrameBytes,
            tickMillis, shutdownGrace, maxInFlight, connections);
    }

    /** This configuration with another request queue capacity. */
    public ServerConfig requestQueueCapacity(int newCapacity) {
        return new ServerConfig(bindHost, port, workerThreads, newCapacity, maxFrameBytes, tickMillis,
            shutdownGrace, maxInFlight, connections);
    }

    /** This configuration with another frame size limit. */
    public ServerConfig maxFrameBytes(int newMaxFrameBytes) {
        return new ServerConfig(bindHost, port, workerThreads, requestQueueCapacity, newMaxFrameBytes,
            tickMillis, shutdownGrace, maxInFlight, connections);
    }

    /** This configuration with another tick interval; 0 for no timer (the test calls {@code tick()}). */
    public ServerConfig tickMillis(long newTickMillis) {
        return new ServerConfig(bindHost, port, workerThreads, requestQueueCapacity, maxFrameBytes,
            newTickMillis, shutdownGrace, maxInFlight, connections);
    }

    /** This configuration with another limit of requests in flight per connection. */
    public ServerConfig maxInFlight(int newMaxInFlight) {
        return new ServerConfig(bindHost, port, workerThreads, requestQueueCapacity, maxFrameBytes, tickMillis,
            shutdownGrace, newMaxInFlight, connections);
    }

    /** This configuration with other connection limits. */
    public ServerConfig connections(ConnectionLimits newConnections) {
        return new ServerConfig(bindHost, port, workerThreads, requestQueueCapacity, maxFrameBytes, tickMillis,
            shutdownGrace, maxInFlight, newConnections);
    }

    /** This configuration with another shutdown grace period. */
    public ServerConfig shutdownGrace(Duration newShutdownGrace) {
        return new ServerConfig(bindHost, port, workerThreads, requestQueueCapacity, maxFrameBytes,
            tickMillis, newShutdownGrace, maxInFlight, connections);
    }
}
