/**
 * The consumer group failure museum: consumers that are wrong in one instructive way, caught by the
 * history checker that also checks the learner's group in {@code ConsumerGroupScenarioTest}. They are
 * self-contained (they do not use the exercise code), so the museum tests pass on the skeleton and the
 * solution alike.
 */
package org.mqworkbook.dispatch.group.museum;
