/**
 * The consumer group failure museum: consumers and offset stores that are wrong in one instructive way,
 * caught by the history checker that also checks the learner's group in {@code ConsumerGroupScenarioTest}.
 * Most exhibits are self-contained (they do not use the exercise code), so their tests pass on the
 * skeleton and the solution alike. {@code GenerationFencingMuseumTest} is the exception: it takes its
 * membership from exercise 7.2's {@code GroupCoordinator}, so it is tagged 7.2 and fails on the untouched
 * skeleton with that exercise's marker.
 */
package org.mqworkbook.dispatch.group.museum;
