/**
 * The deterministic simulation that chapter 8's replicated brokers are tested in: a
 * {@link org.mqworkbook.testkit.sim.Simulation} (one thread, one seeded {@code Random}, a clock that jumps from
 * event to event) and a {@link org.mqworkbook.testkit.sim.SimNetwork} (loss, delay, reordering, duplicates,
 * partitions, crashed nodes). A crashed node keeps its disk as it was unless the test gives it a disk that
 * can lose power: chapter 8.4's tests open each node's files through chapter 6's
 * {@link org.mqworkbook.testkit.storage.CrashSimulator}, seeded from the simulation's {@code Random}, crash it
 * with the node, and reopen the node on a new one. One seed replays one whole schedule; a failure message
 * carries {@link org.mqworkbook.testkit.sim.Simulation#describe()}.
 */
package org.mqworkbook.testkit.sim;
