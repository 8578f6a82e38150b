/**
 * The routing failure museum: topic matchers, each wrong in one instructive way, caught by the same table
 * ({@code TopicCases}) that checks the learner's trie. They are self-contained (they do not use the
 * exercise code), so the museum tests pass on the skeleton and the solution alike.
 */
package org.mqworkbook.dispatch.routing.museum;
