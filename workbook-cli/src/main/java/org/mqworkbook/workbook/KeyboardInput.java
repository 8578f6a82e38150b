package org.mqworkbook.workbook;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;

/**
 * The watch command's keys: a line with {@code q} (or {@code quit}) stops watching, any other line
 * (just Enter) runs the tests again. Terminals send input a line at a time, so Enter is needed after q.
 *
 * <p>{@link #readAll} reads until q or the end of input (stdin closed: then file events alone drive the
 * loop). {@link #start} runs it on a daemon thread, because a read from stdin cannot be interrupted.
 */
final class KeyboardInput {
    private final BufferedReader in;
    private final BlockingQueue<Trigger> triggers;

    KeyboardInput(BufferedReader in, BlockingQueue<Trigger> triggers) {
        this.in = in;
        this.triggers = triggers;
    }

    void start() {
        Thread thread = new Thread(this::readAll, "workbook-keyboard");
        thread.setDaemon(true);
        thread.start();
    }

    void readAll() {
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String word = line.strip().toLowerCase(Locale.ROOT);
                if (word.equals("q") || word.equals("quit")) {
                    triggers.add(new Trigger.Quit(System.nanoTime()));
                    return;
                }
                triggers.add(new Trigger.Rerun(System.nanoTime()));
            }
        } catch (IOException e) {
            // stdin is unreadable: the file events still drive the loop
        }
    }
}
