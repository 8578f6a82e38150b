/**
 * Consumer groups (exercise 7.2): a {@link org.mqworkbook.dispatch.group.GroupCoordinator} keeps the
 * members of one group, hands out partitions with a
 * {@link org.mqworkbook.dispatch.partition.PartitionAssignor} and fences offset commits by generation.
 *
 * <pre>
 *  member ── join(topics) ──────────────▶ GroupCoordinator ── assign ──▶ PartitionAssignor
 *         ◀─ JoinResult(gen, partitions)        │ generation++ on every join, leave, expiry
 *         ── heartbeat(gen) ──▶ OK / REBALANCE_NEEDED / UNKNOWN_MEMBER
 *         ── commit(gen, tp, offset) ──▶ refused unless gen is current and tp is owned
 *                                              │
 *                                              ▼
 *                                  committed offsets (checkpoint file)
 * </pre>
 *
 * A member polls each partition from its committed offset, processes, then commits: at-least-once.
 */
package org.mqworkbook.dispatch.group;
