package org.mqworkbook.workbook;

/**
 * Something the learner can fix, said in their terms: an unknown exercise, a chapter not built yet,
 * marker lines that were removed. The command line prints the message alone, without a stack trace.
 */
final class WorkbookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkbookException(String message) {
        super(message);
    }
}
