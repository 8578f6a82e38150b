/**
 * The routing failure museum: topic matchers, each wrong in one instructive way: one is caught by the same
 * table ({@code TopicCases}) that checks the learner's trie, one gives right answers exponentially slowly. They are self-contained (they do not use the
 * exercise code), so the museum tests pass on the skeleton and the solution alike.
 */
package org.mqworkbook.dispatch.routing.museum;
