/**
 * The chapter's demo: a writer process appends durable records and is killed with SIGKILL mid-stream;
 * the log is then recovered and read back, showing that every record acknowledged as durable survived.
 */
package org.mqworkbook.storage.demo;
