/** Real processes for tests: a chapter's program in its own JVM, its output read line by line, killed with SIGKILL. */
package org.mqworkbook.testkit.process;
