/**
 * Consumer groups (exercise 7.2): a {@link org.mqworkbook.dispatch.group.GroupCoordinator} keeps the
 * members of one group, hands out partitions with a
 * {@link org.mqworkbook.dispatch.partition.PartitionAssignor} and fences offset commits by generation.
 *
 * <pre>
 *  member ── heartbeat(gen) ──▶ OK / REBALANCE_NEEDED / UNKNOWN_MEMBER
 *         ── commit(gen, tp, offset) ──▶ refused unless gen is current, tp is owned, not yet rejoined
 *         ── join(topics) ─────────────▶ GroupCoordinator: a join, leave or expiry starts a rebalance
 *                                              │ the barrier: wait until every member has rejoined
 *                                              │ (or the rebalance timeout removes the missing ones)
 *         ◀─ JoinResult(gen + 1, partitions) ── assign ──▶ PartitionAssignor
 *                                              │
 *                                              ▼
 *                                  committed offsets (checkpoint file)
 * </pre>
 *
 * A member polls each partition from its committed offset, processes, then commits: at-least-once.
 */
package org.mqworkbook.dispatch.group;
