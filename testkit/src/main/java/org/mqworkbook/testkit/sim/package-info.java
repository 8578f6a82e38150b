/**
 * The deterministic simulation that chapter 8's replicated brokers are tested in: a
 * {@link org.mqworkbook.testkit.sim.Simulation} (one thread, one seeded {@code Random}, a clock that jumps from
 * event to event) and a {@link org.mqworkbook.testkit.sim.SimNetwork} (loss, delay, reordering, duplicates,
 * partitions, crashed nodes). A crashed node keeps its disk as it was; giving each node chapter 6's
 * {@link org.mqworkbook.testkit.storage.CrashSimulator} as its disk, so that a crash also loses what was not
 * forced, is the next step (chapter 8.4). One seed replays one whole schedule; a failure message carries
 * {@link org.mqworkbook.testkit.sim.Simulation#describe()}.
 */
package org.mqworkbook.testkit.sim;
