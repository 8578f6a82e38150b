/**
 * A Raft quorum for the cluster's metadata (exercise 8.5, KRaft's idea): {@link org.mqworkbook.ha.quorum.RaftNode}
 * elects a leader with seeded random timeouts, replicates its log, commits what a majority has and applies it
 * in order to a state machine. A state machine driven by messages and a clock, like the replicas of
 * {@code org.mqworkbook.ha.replication}; the testkit's simulation drives it in the tests.
 */
package org.mqworkbook.ha.quorum;
