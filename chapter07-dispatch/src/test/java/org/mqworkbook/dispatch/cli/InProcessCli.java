package org.mqworkbook.dispatch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs one {@code mq7} command in this JVM against a broker on {@code port}, capturing what it prints: how the
 * command-line tests drive the real commands without starting a process. Not thread safe: one test, one thread.
 */
final class InProcessCli {
    private final int port;
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    InProcessCli(int port) {
        this.port = port;
    }

    /**
     * Runs {@code mq7 ARGS --port PORT} and returns its exit status; {@link #out()} and {@link #err()} hold what
     * it printed.
     */
    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = DispatchCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] withPort = new String[args.length + 2];
        System.arraycopy(args, 0, withPort, 0, args.length);
        withPort[args.length] = "--port";
        withPort[args.length + 1] = String.valueOf(port);
        return cli.execute(withPort);
    }

    /** What the last command printed on standard output. */
    String out() {
        return out.toString();
    }

    /** What the last command printed on standard error. */
    String err() {
        return err.toString();
    }
}
