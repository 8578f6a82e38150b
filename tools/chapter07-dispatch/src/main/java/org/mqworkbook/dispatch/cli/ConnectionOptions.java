package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.server.DispatchServer;
import picocli.CommandLine.Option;

/** The options every client command shares: where the broker is. */
final class ConnectionOptions {
    @Option(names = "--host", description = "the broker's host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "the broker's port (default: ${DEFAULT-VALUE})")
    int port = DispatchServer.DEFAULT_PORT;

    DispatchClient connect() throws IOException {
        return DispatchClient.connect(host, port);
    }
}
