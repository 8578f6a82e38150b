/**
 * The storage failure museum: small logs, each wrong in one instructive way, caught by the same crash
 * sweep that {@code RecoveryTest} runs against the learner's log. They are self-contained (they do not
 * use the chapter's classes), so the museum tests pass on the skeleton and the solution alike.
 */
package org.mqworkbook.storage.museum;
