package org.mqworkbook.inmemory.cli;

import org.mqworkbook.inmemory.client.BrokerClient;
import org.mqworkbook.inmemory.server.ServerConfig;
import picocli.CommandLine.Option;

/** The options every client command shares: where the broker is. */
final class ConnectionOptions {
    @Option(names = "--host", description = "the broker's host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "the broker's port (default: ${DEFAULT-VALUE})")
    int port = ServerConfig.DEFAULT_PORT;

    BrokerClient connect() {
        return BrokerClient.connect(host, port);
    }
}
