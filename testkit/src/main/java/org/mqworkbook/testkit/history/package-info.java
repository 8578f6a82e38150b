/**
 * Checking what a broker delivered against what it promised.
 *
 * <p>A test records events as they happen and checks the whole history at the end:
 *
 * <pre>
 *   producer threads ── sent(key, id) ───────────┐
 *   producer threads ── acknowledged(id) ────────┤
 *   consumer threads ── consumed(consumer, id) ──┼──▶ DeliveryHistory (one global order)
 *   test thread ─────── failure(description) ────┘           │
 *                                                            │ check(Guarantee, Ordering)
 *                                                            ▼
 *                                                     HistoryReport: lost, duplicated, reordered, phantom
 * </pre>
 *
 * <ul>
 *   <li>{@link org.mqworkbook.testkit.history.DeliveryHistory}: the recorder and the checker, and
 *       where in a test to record each event;
 *   <li>{@link org.mqworkbook.testkit.history.Guarantee}: at-most-once, at-least-once ("no duplicate
 *       without a failure"), exactly-once;
 *   <li>{@link org.mqworkbook.testkit.history.Ordering}: none, or per ordering key;
 *   <li>{@link org.mqworkbook.testkit.history.HistoryReport}: the violations by category, readable
 *       when it fails a test;
 *   <li>{@link org.mqworkbook.testkit.history.OwnershipHistory}: who held which resource (a partition
 *       in a group, a partition's leadership) and who worked on it: never two holders at once, no work
 *       without holding, no committed position that moves backwards.
 * </ul>
 *
 * <p>The idea is Jepsen's: do not assert on each message as it arrives, which races with the broker,
 * but record an ordered history of operations and failures and judge it as a whole afterwards.
 */
package org.mqworkbook.testkit.history;
