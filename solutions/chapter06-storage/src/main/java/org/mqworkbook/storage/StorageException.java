package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The storage layer cannot do what was asked because of what is on disk; the message names the file
 * and, where it matters, the position ("corrupt record at position 4120 of …/00000000000000000000.log").
 */
public class StorageException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public StorageException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public StorageException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file the problem is in. */
    public Path file() {
        return file;
    }
}
