/**
 * The {@code mq7} command line ({@link org.mqworkbook.dispatch.cli.DispatchCli}), built with picocli
 * like chapter 5's: one class per subcommand, each a thin layer over
 * {@link org.mqworkbook.dispatch.server.DispatchServer} or
 * {@link org.mqworkbook.dispatch.client.DispatchClient}.
 *
 * <pre>
 *  terminal 1:  mq7 server --data-dir /tmp/mq7 --session-timeout 5s
 *  terminal 2:  mq7 create-topic orders --partitions 4
 *               seq 1000 | sed 's/^/customer-1:/' | mq7 produce orders --key-separator :
 *  terminal 3:  mq7 consume orders --group billing --member m1     assigned generation 1: orders-0 ... orders-3
 *  terminal 4:  mq7 consume orders --group billing --member m2     both: assigned generation 2 (2 partitions each)
 *  terminal 5:  mq7 describe --group billing --watch               re-prints at every rebalance
 *
 *  Ctrl-C in terminal 4: m2 commits and leaves, m1 owns all four at once.
 *  kill -9 instead:      m1 takes over after the 5 s session timeout, re-reading m2's uncommitted records.
 * </pre>
 *
 * <p>Exit codes: 0 when the command worked, 1 when the broker refused it or could not be reached
 * ({@code error: KIND: message} on standard error), 2 for a wrong command line.
 */
package org.mqworkbook.dispatch.cli;
