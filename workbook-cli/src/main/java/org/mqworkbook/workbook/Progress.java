package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the tool remembers between runs, in {@code .workbook/progress.properties} (kept out of git):
 * per exercise, the last test result with a fingerprint of the code it ran on, and how many hints were
 * shown. Plain {@code key=value} lines, sorted, so that a curious learner can read (or delete) it.
 *
 * <pre>
 *  5.1.code=3f9a0c1d2b7e4a55     fingerprint of the exercise's regions when its tests last ran
 *  5.1.hints=2                   hints shown so far
 *  5.1.passed=11                 tests that passed on that run
 *  5.1.total=11                  tests that ran
 * </pre>
 *
 * <p>Not thread-safe: one command at a time. Two tools running at once (watch in one terminal, test in
 * another) may each overwrite the other's last line of news; the next run puts it right.
 */
final class Progress {
    /**
     * The last run of an exercise's tests.
     *
     * @param passed how many passed
     * @param total  how many ran
     * @param code   the {@link ExerciseCode#fingerprint} of the code they ran on
     */
    record LastRun(int passed, int total, String code) {
        boolean allPassed() {
            return total > 0 && passed == total;
        }
    }

    private final Path file;
    private final Map<String, String> values;

    private Progress(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
    }

    static Progress load(Path file) {
        Map<String, String> values = new TreeMap<>();
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        }
        return new Progress(file, values);
    }

    Optional<LastRun> lastRun(String exercise) {
        String passed = values.get(exercise + ".passed");
        String total = values.get(exercise + ".total");
        String code = values.get(exercise + ".code");
        if (passed == null || total == null || code == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LastRun(Integer.parseInt(passed), Integer.parseInt(total), code));
        } catch (NumberFormatException e) {
            return Optional.empty(); // edited by hand: as if never run
        }
    }

    void recordRun(String exercise, LastRun run) {
        values.put(exercise + ".passed", String.valueOf(run.passed()));
        values.put(exercise + ".total", String.valueOf(run.total()));
        values.put(exercise + ".code", run.code());
    }

    int hintsSeen(String exercise) {
        try {
            return Integer.parseInt(values.getOrDefault(exercise + ".hints", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    void recordHintsSeen(String exercise, int count) {
        values.put(exercise + ".hints", String.valueOf(count));
    }

    /** Writes the file: to a temporary file first, then moved into place, so a crash cannot leave half of it. */
    void save() {
        StringBuilder text = new StringBuilder("# ./workbook's memory: last test results and hints seen. "
            + "Safe to delete.\n");
        values.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
