/**
 * Fuzz inputs for the chapters' frame decoders: {@link org.mqworkbook.testkit.fuzz.FrameMutator} bends valid
 * frames the way broken and hostile clients do, from a seed, and splits them into random reads.
 */
package org.mqworkbook.testkit.fuzz;
