package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every chapter is registered everywhere the build needs it, or the build says which place is missing:
 * the guard of the recipe in {@code docs/adding-a-chapter.md}. A chapter is any {@code chapterNN-*}
 * directory at the root or under {@code solutions/}; for each, the test checks the places the recipe
 * names, so that a chapter half-added (a module the reactor never builds, a report that never waits for
 * it, a package the layering rules do not know) fails here with the place named, not later in a
 * learner's hands.
 */
@Timeout(30)
class ChapterRegistrationTest {
    private static final Path REPO = ChapterFiveCopy.REPO;
    private static final Pattern CHAPTER_DIR = Pattern.compile("chapter(\\d\\d)-[a-z0-9-]+");

    /** The chapter module names found at the root and under solutions/, e.g. chapter05-inmemory. */
    private static Set<String> chapters() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path parent : List.of(REPO, REPO.resolve("solutions"))) {
            try (Stream<Path> children = Files.list(parent)) {
                children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> CHAPTER_DIR.matcher(n).matches()).forEach(names::add);
            }
        }
        return names;
    }

    private static String read(String relative) throws IOException {
        return Files.readString(REPO.resolve(relative), StandardCharsets.UTF_8);
    }

    /** The chapter's base package, from the reference's sources: org/mqworkbook/&lt;name&gt;. */
    private static String basePackage(String chapter) throws IOException {
        Path root = REPO.resolve("solutions").resolve(chapter).resolve("src/main/java/org/mqworkbook");
        try (Stream<Path> children = Files.list(root)) {
            List<String> packages = children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
            assertThat(packages).as("solutions/%s has one base package under org/mqworkbook", chapter).hasSize(1);
            return packages.get(0);
        }
    }

    @Test
    void thereAreChaptersToCheck() throws IOException {
        assertThat(chapters()).as("chapters found under %s", REPO).contains("chapter05-inmemory");
    }

    @Test
    void everyChapterIsRegisteredInEveryPlaceTheRecipeNames() throws IOException {
        String rootPom = read("pom.xml");
        String reportPom = read("workbook-report/pom.xml");
        String importControl = read(".config/checkstyle/import-control.xml");
        String readme = read("README.md");
        List<String> missing = new ArrayList<>();
        for (String chapter : chapters()) {
            check(missing, Files.isDirectory(REPO.resolve(chapter)), chapter + "/ (the learner's module) exists");
            check(missing, Files.isDirectory(REPO.resolve("solutions").resolve(chapter)),
                "solutions/" + chapter + "/ (the reference) exists");
            check(missing, rootPom.contains("<module>" + chapter + "</module>"),
                "pom.xml lists <module>" + chapter + "</module>");
            check(missing, rootPom.contains("<module>solutions/" + chapter + "</module>"),
                "pom.xml lists <module>solutions/" + chapter + "</module>");
            check(missing, rootPom.indexOf("<module>solutions/" + chapter + "</module>")
                    < rootPom.indexOf("<module>" + chapter + "</module>"),
                "pom.xml lists solutions/" + chapter + " before " + chapter + " (the skeleton is generated from it)");
            check(missing, reportPom.contains("<artifactId>" + chapter + "</artifactId>"),
                "workbook-report/pom.xml depends on " + chapter + " (so the report waits for its results)");
            check(missing, reportPom.contains("<artifactId>" + chapter + "-solution</artifactId>"),
                "workbook-report/pom.xml depends on " + chapter + "-solution");
            check(missing, Files.isRegularFile(REPO.resolve(chapter).resolve("README.md")),
                chapter + "/README.md (the chapter text) exists");
            check(missing, readme.contains("](" + chapter + "/README.md)"),
                "README.md's chapter map links " + chapter + "/README.md");
            if (Files.isDirectory(REPO.resolve("tools").resolve(chapter))) {
                for (String pom : List.of(chapter + "/pom.xml", "solutions/" + chapter + "/pom.xml")) {
                    String text = Files.isRegularFile(REPO.resolve(pom)) ? read(pom) : "";
                    check(missing, text.contains("<id>add-tools-sources</id>")
                            && text.contains("tools/" + chapter + "/src/main/java</workbook.tools.dir>"),
                        pom + " compiles tools/" + chapter + " (add-tools-sources, workbook.tools.dir)");
                }
            }
            check(missing, !hasInstruments(REPO.resolve(chapter).resolve("src/main/java"))
                    && !hasInstruments(REPO.resolve("solutions").resolve(chapter).resolve("src/main/java")),
                chapter + " keeps its command line, demos and load harness in tools/" + chapter
                    + ", not in the broker's sources");
            if (Files.isDirectory(REPO.resolve("solutions").resolve(chapter))) {
                String pkg = basePackage(chapter);
                check(missing, importControl.contains("<subpackage name=\"" + pkg + "\">"),
                    ".config/checkstyle/import-control.xml has <subpackage name=\"" + pkg + "\"> for " + chapter);
                for (String exercise : exercises(chapter)) {
                    check(missing, Files.isRegularFile(REPO.resolve(chapter).resolve("hints/" + exercise + ".md")),
                        chapter + "/hints/" + exercise + ".md exists (exercise " + exercise + " has regions)");
                }
            }
        }
        assertThat(missing).as("a chapter is half-registered; docs/adding-a-chapter.md lists every place")
            .isEmpty();
    }

    /** Whether a source tree has a cli, demo or load package: the instruments that belong in tools/. */
    private static boolean hasInstruments(Path sources) throws IOException {
        if (!Files.isDirectory(sources)) {
            return false;
        }
        try (Stream<Path> dirs = Files.walk(sources)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                .anyMatch(n -> n.equals("cli") || n.equals("demo") || n.equals("load"));
        }
    }

    /** The exercise numbers whose regions the reference marks, e.g. 5.1 ... 5.5. */
    private static Set<String> exercises(String chapter) throws IOException {
        Set<String> exercises = new TreeSet<>();
        Pattern begin = Pattern.compile("// BEGIN EXERCISE (\\d+\\.\\d+)");
        try (Stream<Path> files = Files.walk(REPO.resolve("solutions").resolve(chapter).resolve("src/main/java"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = begin.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    exercises.add(m.group(1));
                }
            }
        }
        return exercises;
    }

    private static void check(List<String> missing, boolean holds, String what) {
        if (!holds) {
            missing.add(what);
        }
    }
}
