package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An exercise's hints, kept with the chapter ({@code chapter05-inmemory/hints/5.3.md}) so that whoever
 * writes the chapter writes its hints, and the tool knows nothing of the content. The file is Markdown:
 * anything before the first {@code ## Hint 1} heading is an introduction the tool does not show, then one
 * section per hint, from a nudge to a near-recipe — never the code itself.
 *
 * <pre>
 *  # Hints for exercise 5.3
 *
 *  ## Hint 1
 *  What does the consumer hold, exactly? ...
 *
 *  ## Hint 2
 *  ...
 * </pre>
 */
final class Hints {
    private static final Pattern HEADING = Pattern.compile("^##\\s+Hint\\s+\\d+\\s*$");

    private Hints() {
    }

    /** The hints in {@code file}, in order, each without its heading; empty if the file does not exist. */
    static List<String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hints " + file, e);
        }
    }

    static List<String> parse(List<String> lines) {
        List<String> hints = new ArrayList<>();
        StringBuilder current = null;
        for (String line : lines) {
            if (HEADING.matcher(line).matches()) {
                if (current != null) {
                    hints.add(current.toString().strip());
                }
                current = new StringBuilder();
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        if (current != null) {
            hints.add(current.toString().strip());
        }
        return List.copyOf(hints);
    }
}
