package org.mqworkbook.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One marked exercise region in a source file: the lines between {@code // BEGIN EXERCISE 5.3} and
 * {@code // END EXERCISE 5.3}, exclusive. Line numbers are 1-based.
 *
 * <p>The solution marks every exercise body this way; the generated skeleton keeps the two marker
 * lines and replaces what is between them, so tools can find a learner's work (progress, diff, reset).
 *
 * @param exercise  the exercise id, for example "5.3"
 * @param beginLine the line of the BEGIN marker
 * @param endLine   the line of the END marker
 * @param indent    the whitespace before the BEGIN marker; the body is indented the same
 * @param body      the lines between the markers
 */
public record ExerciseRegion(String exercise, int beginLine, int endLine, String indent, List<String> body) {

    static final Pattern BEGIN = Pattern.compile("^(\\s*)// BEGIN EXERCISE (\\d+\\.\\d+)\\s*$");
    static final Pattern END = Pattern.compile("^\\s*// END EXERCISE (\\d+\\.\\d+)\\s*$");

    /**
     * Finds every region in {@code lines}.
     *
     * @param file names the source in error messages
     * @throws IllegalArgumentException for a nested, mismatched or unterminated region, naming the line
     */
    public static List<ExerciseRegion> parse(String file, List<String> lines) {
        List<ExerciseRegion> regions = new ArrayList<>();
        ExerciseRegion open = null;
        List<String> body = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher begin = BEGIN.matcher(line);
            Matcher end = END.matcher(line);
            if (begin.matches()) {
                if (open != null) {
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": BEGIN EXERCISE " + begin.group(2)
                        + " inside the region of exercise " + open.exercise() + " opened at line "
                        + open.beginLine());
                }
                open = new ExerciseRegion(begin.group(2), i + 1, -1, begin.group(1), List.of());
                body = new ArrayList<>();
            } else if (end.matches()) {
                if (open == null || !open.exercise().equals(end.group(1))) {
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": END EXERCISE " + end.group(1)
                        + (open == null ? " without a BEGIN" : " closes the region of exercise "
                        + open.exercise() + " opened at line " + open.beginLine()));
                }
                regions.add(new ExerciseRegion(open.exercise(), open.beginLine(), i + 1, open.indent(),
                    List.copyOf(body)));
                open = null;
            } else if (open != null) {
                body.add(line);
            }
        }
        if (open != null) {
            throw new IllegalArgumentException(file + ":" + open.beginLine() + ": BEGIN EXERCISE "
                + open.exercise() + " is never closed by END EXERCISE " + open.exercise());
        }
        return regions;
    }
}
