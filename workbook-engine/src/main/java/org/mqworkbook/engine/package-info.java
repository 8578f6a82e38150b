/**
 * The engine that enforces the workbook contract, during the build and under {@code ./workbook}.
 *
 * <pre>
 *  solution sources ──► SkeletonGenerator ──► skeleton sources (exercise regions stubbed, ExerciseRegion)
 *  chapter tests ─────► WorkbookMain test  ──► ExerciseRun per exercise ──► ResultsFile, TestOutcome
 *                        (solution: all green; untouched skeleton: each exercise test red for its own
 *                         exercise's marker, IsolationCheck; the learner's work: a progress table)
 *  every module's results ──► WorkbookMain report ──► "Workbook: N passed, M failed"
 * </pre>
 *
 * <p>It finds tests by class path and JUnit tag and never imports a chapter; chapters put it on their
 * test class path only so that the build can run their tests with it. The test support the chapters'
 * tests do import lives in {@code org.mqworkbook.testkit}.
 */
package org.mqworkbook.engine;
