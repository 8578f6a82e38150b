package org.mqworkbook.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The outcomes of one test run as a small text file, so that they can cross a process boundary: the
 * build's report reads every module's file, and the workbook CLI reads the one its forked test JVM
 * wrote.
 *
 * <p>The layout: one header line starting with {@code #}, then one line per test, seven fields separated
 * by tabs (tabs and line breaks inside a field become spaces):
 * <pre>
 *  # role=exercise state=learner verdict=ok
 *  BoundedBlockingQueueTest ⇥ offerRefusesWhenFullWithoutWaiting() ⇥ 5.1 ⇥ FAILED ⇥ 5.1 ⇥ ExerciseNotDone: ... ⇥ ...:44
 *  test class               ⇥ test                                ⇥ exercise ⇥ status ⇥ markers ⇥ message ⇥ location
 * </pre>
 * The exercise is empty for a test of given code; markers are comma-separated exercise ids.
 *
 * <p>Stateless and thread safe.
 */
public final class ResultsFile {
    private ResultsFile() {
    }

    /** Writes {@code header} (without its {@code #}) and one line per outcome, creating directories. */
    public static void write(Path file, String header, List<TestOutcome> outcomes) {
        StringBuilder text = new StringBuilder("# ").append(header).append('\n');
        for (TestOutcome o : outcomes) {
            text.append(clean(o.testClass())).append('\t').append(clean(o.test())).append('\t')
                .append(o.exercise()).append('\t').append(o.status()).append('\t')
                .append(String.join(",", o.markers())).append('\t').append(clean(o.message())).append('\t')
                .append(clean(o.location())).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the workbook results " + file, e);
        }
    }

    /** The outcomes {@link #write} wrote, in the same order. */
    public static List<TestOutcome> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the workbook results " + file, e);
        }
        List<TestOutcome> outcomes = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] row = line.split("\t", -1);
            if (row.length != 6 && row.length != 7) {
                throw new IllegalArgumentException(file + ": expected 7 tab-separated fields, found " + row.length
                    + " in: " + line);
            }
            Set<String> markers = new LinkedHashSet<>();
            Arrays.stream(row[4].split(",")).filter(m -> !m.isEmpty()).forEach(markers::add);
            outcomes.add(new TestOutcome(row[0], row[1], row[2], TestOutcome.Status.valueOf(row[3]), markers,
                row[5], row.length == 7 ? row[6] : ""));
        }
        return outcomes;
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
