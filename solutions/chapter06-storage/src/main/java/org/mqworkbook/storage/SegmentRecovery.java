package org.mqworkbook.storage;

import java.nio.file.Path;

/**
 * What recovering one segment found and did: the report an operator reads after a crash.
 *
 * @param file           the segment's log file
 * @param validBytes     bytes of whole, checksummed records kept
 * @param truncatedBytes bytes cut off the end (a torn write, a corrupt tail); 0 if the file was clean
 * @param records        records kept
 * @param indexRebuilt   whether the offset index was rebuilt from the records
 * @param reason         why the tail was cut ("torn record at position 4120: 11 of 39 bytes"), or "clean"
 */
public record SegmentRecovery(Path file, long validBytes, long truncatedBytes, int records, boolean indexRebuilt,
                              String reason) {

    /** Whether anything was cut off. */
    public boolean truncated() {
        return truncatedBytes > 0;
    }

    @Override
    public String toString() {
        return file.getFileName() + ": " + records + " records, " + validBytes + " bytes kept"
            + (truncatedBytes > 0 ? ", " + truncatedBytes + " bytes truncated (" + reason + ")" : "")
            + (indexRebuilt ? ", index rebuilt" : "");
    }
}
