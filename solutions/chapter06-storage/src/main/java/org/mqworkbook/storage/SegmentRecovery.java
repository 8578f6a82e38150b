package org.mqworkbook.storage;

import java.nio.file.Path;

/**
 * What recovering one segment found: the report an operator reads after a crash.
 *
 * @param file         the segment's log file
 * @param validBytes   bytes of whole, checksummed records from the start, with offsets in order
 * @param invalidBytes bytes after them (a torn write, a corrupt record, damage); 0 if the file was clean.
 *                     The log decides what becomes of them: a torn tail is cut, damage kept aside
 * @param records      records in the valid prefix
 * @param indexRebuilt whether the offset index was rebuilt from the records
 * @param reason       what stopped the scan ("torn record at position 4120: 11 of 39 bytes"), or "clean"
 */
public record SegmentRecovery(Path file, long validBytes, long invalidBytes, int records, boolean indexRebuilt,
                              String reason) {

    /** Whether the whole file is valid records. */
    public boolean clean() {
        return invalidBytes == 0;
    }

    @Override
    public String toString() {
        return file.getFileName() + ": " + records + " records, " + validBytes + " bytes valid"
            + (invalidBytes > 0 ? ", then " + invalidBytes + " invalid bytes (" + reason + ")" : "")
            + (indexRebuilt ? ", index rebuilt" : "");
    }
}
