package org.mqworkbook.storage;

/** A read asked for an offset the log does not hold: below its start (deleted by retention) or past its end. */
public final class OffsetOutOfRangeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OffsetOutOfRangeException(long offset, long logStartOffset, long nextOffset) {
        super("offset " + offset + " is outside the log, which holds offsets " + logStartOffset + " to "
            + (nextOffset - 1) + (nextOffset == logStartOffset ? " (it is empty)" : ""));
    }
}
