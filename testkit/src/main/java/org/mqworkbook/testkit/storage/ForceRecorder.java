package org.mqworkbook.testkit.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Opens real files and records every {@code force} on their channels, with a note that the test
 * chooses (for example what a checkpoint held at that moment): a test of the write, force, rename,
 * force-the-directory recipe can then check not only that the directory was opened but that it was
 * forced, and when. Pass {@code recorder::open} wherever a {@code FileOpener} goes.
 *
 * <p>Methods of this class are thread safe (the list of records is synchronised).
 */
public final class ForceRecorder {
    /** One {@code force}: which file, and the note the recorder's function made at that moment. */
    public record Forced(Path path, String note) {
    }

    private final Function<Path, String> note;
    private final List<Forced> forced = new ArrayList<>();

    /** @param note called at each force with the path forced; its answer is kept with the record */
    public ForceRecorder(Function<Path, String> note) {
        this.note = note;
    }

    /** Same signature as {@code FileOpener}. */
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        FileChannel real = FileChannel.open(path, options);
        return new ForwardingFileChannel(real) {
            @Override
            public void force(boolean metaData) throws IOException {
                super.force(metaData);
                synchronized (forced) {
                    forced.add(new Forced(path, note.apply(path)));
                }
            }
        };
    }

    /** Every force so far, oldest first. */
    public List<Forced> forced() {
        synchronized (forced) {
            return List.copyOf(forced);
        }
    }
}
