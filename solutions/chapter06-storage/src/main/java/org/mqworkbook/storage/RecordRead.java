package org.mqworkbook.storage;

/**
 * What reading one record from a buffer found. A reader of a log needs all three answers, and must
 * treat them differently: a valid record is returned, an incomplete one at the end of a file is a torn
 * write (the tail to truncate on recovery), and a corrupt one is never returned to anybody.
 */
public sealed interface RecordRead {

    /** A whole record whose checksum matches. {@code size} is its length in bytes, length field included. */
    record Valid(Record record, int size) implements RecordRead {
    }

    /** The buffer ends before the record does: more bytes are needed (or, at the end of a file, it was torn). */
    record Incomplete(int available, int needed) implements RecordRead {
    }

    /** The bytes are not a valid record: an impossible length, a checksum mismatch, a field overrunning the record. */
    record Corrupt(String reason) implements RecordRead {
    }
}
