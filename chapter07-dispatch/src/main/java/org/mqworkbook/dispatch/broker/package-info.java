/**
 * Chapter 7's broker. {@link org.mqworkbook.dispatch.broker.TopicBroker} holds its state: the topics on
 * disk (exercise 7.6), one {@code GroupCoordinator} per consumer group (exercise 7.2) with its committed
 * offsets, and fetch through a tag subscription (exercises 7.5 and 7.6); its methods can be called in
 * process. {@link org.mqworkbook.dispatch.broker.BrokerApi} is the broker as a server sees it: one
 * method per request, answered by a future — a produce once its record is durable (the
 * {@code DurabilityWaiter} shares one fsync among every record waiting on a partition), a long poll once
 * a record arrives ({@code PollWaiters}). Tests drive that API without sockets; chapter 8's replication
 * will sit behind it.
 */
package org.mqworkbook.dispatch.broker;
