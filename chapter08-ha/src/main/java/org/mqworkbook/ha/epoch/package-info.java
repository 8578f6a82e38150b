/**
 * Leader epochs (exercise 8.1): a {@link org.mqworkbook.ha.epoch.LeaderEpochCache} per replica of a partition
 * remembers the first offset of each leader's epoch, answers "where does epoch N end?" with an
 * {@link org.mqworkbook.ha.epoch.EpochEndOffset} (Kafka's {@code OffsetsForLeaderEpoch}), and follows its log
 * when the log is truncated at either end.
 *
 * <pre>
 *  new leader B, epoch 4              follower A: its log ends at 10, and offset 9 is epoch 3's
 *  cache (0→0) (2→4) (3→7) (4→9)      cache (0→0) (2→4) (3→7)
 *        ◄── endOffsetFor(3) ──────── A asks about its latest epoch
 *        ──► (3, 9) ───────────────►  A truncates its log and its cache to 9, then fetches from 9
 * </pre>
 */
package org.mqworkbook.ha.epoch;
