/**
 * A narrated run of the chapter's consumer groups over real sockets
 * ({@link org.mqworkbook.dispatch.demo.RebalanceDemo}), all in one JVM:
 *
 * <pre>
 *                                                   ┌─► A   joins first: all 6 partitions
 *  producer ─► DispatchServer ─► topic "orders" ────┼─► B   joins (3/3), then crashes: expelled after 3 s
 *  (keyed by     (port 0)         6 partitions,     ├─► C   joins (2/2/2), then leaves: rebalanced at once
 *   customer)                     group "billing"   └─► D   joins last (3/3)
 * </pre>
 *
 * <p>It uses a real clock and pauses at human speed so that it can be watched; the chapter's tests
 * check the same behaviours with a manual clock instead.
 */
package org.mqworkbook.dispatch.demo;
