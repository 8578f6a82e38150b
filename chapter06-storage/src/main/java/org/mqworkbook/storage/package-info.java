/**
 * Chapter 6's storage: an append-only, segmented, checksummed log that survives crashes (exercises 6.1 to
 * 6.5), and the small files replaced whole beside it (6.2). Read it bottom-up:
 *
 * <pre>
 *  Record ──► RecordFormat (6.1: length, CRC-32C, fields) ──► bytes in a segment file
 *  LogSegment (6.2 append, 6.3 read, 6.5 recover) ── OffsetIndex (6.3: offset ──► byte position, sparse)
 *  Log (6.4: roll, read across segments, retention; open recovers, 6.5) ── GroupCommit (6.2: shared fsyncs)
 *  CheckpointFile (6.2: write a temporary file, force, rename, force the directory) ── recovery point, acks
 *  FileOpener: the one seam to the disk, where the crash simulator plugs in
 * </pre>
 *
 * <p>Words, used the same way everywhere in the chapter: an <b>offset</b> is a record's number in the log
 * (0, 1, 2, ...; never reused); a <b>position</b> is a byte position in a segment file; a <b>base offset</b>
 * is the offset of a segment's first record, and names its files. {@link org.mqworkbook.storage.OffsetPosition}
 * is an index entry: an offset and the position of its record.
 *
 * <p>{@code broker} puts chapter 5's broker on this log (6.6); {@code cli} is the chapter's command line;
 * {@code demo} shows a crash and a recovery.
 */
package org.mqworkbook.storage;
