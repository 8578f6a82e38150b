/**
 * Exercise 7.6: a topic is N partitions, each a chapter 6 {@code Log} in its own directory
 * ({@code orders-0}, {@code orders-1}...). {@link org.mqworkbook.dispatch.topic.Topic} chooses the
 * partition by key (exercise 7.1) and reads one partition from an offset; a fetch's answer is a
 * {@link org.mqworkbook.dispatch.topic.FetchResult}, an append's a
 * {@link org.mqworkbook.dispatch.topic.PartitionOffset}.
 */
package org.mqworkbook.dispatch.topic;
