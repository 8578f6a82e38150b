/**
 * The {@code mq} command line ({@link org.mqworkbook.inmemory.cli.MqCli}), built with picocli: one
 * class per subcommand, each a thin layer over {@link org.mqworkbook.inmemory.server.BrokerServer} or
 * {@link org.mqworkbook.inmemory.client.BrokerClient}.
 *
 * <pre>
 *  terminal 1:  mq server
 *  terminal 2:  mq declare -q orders --visibility-timeout-ms 5000
 *               mq produce -q orders one two three
 *               mq consume -q orders --no-ack --count 2     (prints delivery=1, leaves them unacked)
 *               mq consume -q orders                        (prints the same two with delivery=2)
 * </pre>
 *
 * <p>Exit codes: 0 when the command worked, 1 when the broker refused it or could not be reached
 * (with the error code and message on standard error), 2 for a wrong command line.
 */
package org.mqworkbook.inmemory.cli;
