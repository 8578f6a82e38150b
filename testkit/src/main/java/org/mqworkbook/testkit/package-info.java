/**
 * What the chapters' tests import, and nothing the build's engine needs: {@link
 * org.mqworkbook.testkit.Exercise} ties a test class to the exercise it checks; {@link
 * org.mqworkbook.testkit.ManualClock} is the injected clock tests move by hand; {@link
 * org.mqworkbook.testkit.Seeded} hands each test a seeded {@code Random} and prints the seed when the test
 * fails, so that a random fault replays. The subpackages hold the delivery-history checker
 * ({@code history}), the crash-consistent test disks ({@code storage}), child JVMs ({@code process}) and
 * fuzz inputs for frame decoders ({@code fuzz}) and chapter 8's deterministic simulation ({@code sim}).
 * The build's engine (skeleton generator, test runner, isolation check) is the {@code workbook-engine}
 * module, which no test imports.
 */
package org.mqworkbook.testkit;
