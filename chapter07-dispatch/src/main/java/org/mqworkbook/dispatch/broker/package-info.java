/**
 * Chapter 7's broker in one class, {@link org.mqworkbook.dispatch.broker.TopicBroker}: the topics on
 * disk (exercise 7.6), one {@code GroupCoordinator} per consumer group (exercise 7.2) with its committed
 * offsets, durable produce, and fetch through a tag subscription (exercises 7.5 and 7.6). Everything
 * the server offers is a method here, so tests and demos can use the broker in process too.
 */
package org.mqworkbook.dispatch.broker;
