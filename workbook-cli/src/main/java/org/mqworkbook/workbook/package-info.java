/**
 * The learner's tool, {@code ./workbook}: where am I, run the exercise I am on (fast), re-run on save,
 * a hint, my code against the reference, reset an exercise, start the chapter's broker.
 *
 * <pre>
 *  ./workbook (bash) ──► WorkbookCli ──► StatusCommand  TestCommand  WatchCommand  HintCommand
 *                                         DiffCommand    ResetCommand RunCommand
 *
 *  Workbook        the chapters found at the repository root: chapterNN-name/ + solutions/chapterNN-name/
 *   └─ Chapter     one of them; ChapterText finds each exercise's section in its README.md
 *  ExerciseCode    the exercise regions three ways: the learner's, the skeleton's (the engine's
 *                  SkeletonGenerator, the same generator the build uses) and the reference's
 *  Standing        done / in progress / not started, from ExerciseCode and Progress
 *  Progress        .workbook/progress.properties: last test results, hints seen
 *
 *  TestRunner      ChapterCompiler (javax.tools, in this JVM, only when a source changed)
 *                   ──► one forked JVM running the engine's WorkbookMain isolate (the build's own test runner)
 *                   ──► ResultsFile ──► TestReport (summary, first failure, its section, the hint)
 *  WatchLoop       ◄── Trigger: SourceWatcher (file saved), KeyboardInput (Enter, q)
 * </pre>
 *
 * <p>Why not Maven underneath: starting Maven, checkstyle and the full reactor logic costs more than
 * compiling one module and running one exercise's tests. The tool does only that, and leaves
 * {@code target/classes} to Maven: its own output goes to {@code target/workbook-cli/} in the chapter
 * module, so that the IDE, {@code ./mvnw} and the tool never overwrite each other's classes.
 */
package org.mqworkbook.workbook;
