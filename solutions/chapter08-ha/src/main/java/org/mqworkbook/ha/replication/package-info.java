/**
 * Pull replication (exercise 8.2): a {@link org.mqworkbook.ha.replication.Replica} per partition per broker, a
 * state machine over a chapter 6 log that either leads (appends, answers
 * {@link org.mqworkbook.ha.replication.ReplicaMessage.Fetch}es, moves the high watermark) or follows (fetches
 * from its log end, copies records and their epochs). It has no threads or sockets: the deterministic
 * simulation of the testkit ({@code org.mqworkbook.testkit.sim}) drives it in the tests.
 */
package org.mqworkbook.ha.replication;
