/**
 * Chapter 8, high availability (高可用与容错): a partition kept on several brokers, so that losing one loses
 * nothing that was acknowledged.
 *
 * <pre>
 *  producer ── acks=all ──► leader  [0 1 2 3 4 5 6]   epoch 3      high watermark 5: consumers read below it
 *                             ▲  fetch(from 5)  fetch(from 6)
 *                  follower A [0 1 2 3 4]      follower B [0 1 2 3 4 5]
 *
 *  leader fails ─► controller picks B (in sync) ─► epoch 4 ─► A asks B "where does epoch 3 end?" ─► truncates
 * </pre>
 *
 * <p>Packages: {@code epoch} (8.1: which leader wrote which part of a log, and where a follower must cut its
 * own) and {@code replication} (8.2: followers pull the leader's log; the high watermark). The in-sync replica
 * set, truncation by epoch, the controller quorum, clients that follow the leader and the group coordinator on
 * a replicated offsets topic follow (see the chapter README).
 */
package org.mqworkbook.ha;
