package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tool needs from a chapter's README: the chapter's title (its first {@code # } heading) and
 * each exercise's section, a heading of the form {@code ## 5.3 Acknowledgements and redelivery (简单 ACK 机制)}.
 * The section is where a failing test sends the learner: "explained in chapter05-inmemory/README.md:120".
 *
 * @param title    the first level-one heading without its {@code # }, or empty if there is none
 * @param sections exercise id to its section (title and heading line), in the order of the text
 */
record ChapterText(String title, Map<String, Exercise> sections) {
    private static final Pattern SECTION = Pattern.compile("^##\\s+(\\d+\\.\\d+)\\s+(.+?)\\s*$");

    static ChapterText read(Path readme) {
        if (!Files.isRegularFile(readme)) {
            return new ChapterText("", Map.of());
        }
        try {
            return parse(Files.readAllLines(readme, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chapter text " + readme, e);
        }
    }

    static ChapterText parse(List<String> lines) {
        String title = "";
        Map<String, Exercise> sections = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (title.isEmpty() && line.startsWith("# ")) {
                title = line.substring(2).strip();
            }
            Matcher section = SECTION.matcher(line);
            if (section.matches()) {
                sections.putIfAbsent(section.group(1), new Exercise(section.group(1), section.group(2), i + 1));
            }
        }
        return new ChapterText(title, Map.copyOf(sections));
    }

    /** The exercise's section, or a placeholder naming the exercise if the text has no heading for it. */
    Exercise exercise(String id) {
        return Optional.ofNullable(sections.get(id)).orElse(new Exercise(id, "exercise " + id, 0));
    }
}
