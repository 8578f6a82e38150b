package org.mqworkbook.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a chapter's reference solution into the learner's skeleton: the one source of truth for
 * both, so that they cannot drift apart.
 *
 * <p>The rule, line by line: everything outside an {@link ExerciseRegion} is copied unchanged, comments
 * included (the explanation must be there when the learner needs it). Inside a region, the solution's
 * lines are replaced by {@code throw new ExerciseNotDone("5.3");} — or, if the region holds lines
 * starting with {@code //> }, by those lines uncommented (for the rare body that must return something
 * instead of throwing). The imports are kept, even those only the removed code used: the learner's
 * answer will need them, and a learner who fills in a region should not have to edit the file outside it
 * (javac does not warn about an unused import, and the learner's module is not style-checked). The
 * marker's import is added where needed.
 *
 * <p>Files that are not Java sources are copied unchanged. This class is stateless and thread safe.
 */
public final class SkeletonGenerator {
    static final String MARKER_IMPORT = "import org.mqworkbook.marker.ExerciseNotDone;";
    private static final String SKELETON_LINE_PREFIX = "//> ";
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)\\s*;\\s*$");

    /** The skeleton for one Java source file. */
    public String generate(String file, String solutionSource) {
        return generate(file, solutionSource, exercise -> true);
    }

    /**
     * The source with only the regions of the exercises {@code stubbed} accepts replaced: the rest of
     * the solution stays. The build uses this to show that each exercise's tests fail when that
     * exercise alone is missing.
     */
    public String generate(String file, String solutionSource, Predicate<String> stubbed) {
        List<String> lines = solutionSource.lines().toList();
        List<ExerciseRegion> regions = ExerciseRegion.parse(file, lines).stream()
            .filter(r -> stubbed.test(r.exercise())).toList();
        if (regions.isEmpty()) {
            return solutionSource;
        }
        List<String> out = new ArrayList<>();
        int next = 0;
        boolean usesMarker = false;
        for (ExerciseRegion region : regions) {
            out.addAll(lines.subList(next, region.beginLine())); // up to and including BEGIN
            List<String> replacement = skeletonBody(region);
            if (replacement.isEmpty()) {
                out.add(region.indent() + "throw new ExerciseNotDone(\"" + region.exercise() + "\");");
                usesMarker = true;
            } else {
                out.addAll(replacement);
            }
            next = region.endLine() - 1; // the END line is copied with what follows
        }
        out.addAll(lines.subList(next, lines.size()));
        List<String> tidy = tidyImports(out, usesMarker, Set.of()); // every import of the solution stays
        return String.join("\n", tidy) + (solutionSource.endsWith("\n") ? "\n" : "");
    }

    /**
     * The skeleton of every file below {@code solutionRoot}, keyed by path relative to it, in order.
     */
    public Map<Path, String> generateTree(Path solutionRoot) {
        return generateTree(solutionRoot, exercise -> true);
    }

    /** Like {@link #generateTree(Path)}, stubbing only the exercises {@code stubbed} accepts. */
    public Map<Path, String> generateTree(Path solutionRoot, Predicate<String> stubbed) {
        Map<Path, String> tree = new TreeMap<>();
        try (Stream<Path> files = Files.walk(solutionRoot)) {
            for (Path path : files.filter(Files::isRegularFile).toList()) {
                Path relative = solutionRoot.relativize(path);
                String source = Files.readString(path, StandardCharsets.UTF_8);
                tree.put(relative, path.toString().endsWith(".java")
                    ? generate(relative.toString(), source, stubbed) : source);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the solution under " + solutionRoot, e);
        }
        return tree;
    }

    /**
     * Where {@code skeletonRoot} differs from what {@link #generateTree} makes of {@code solutionRoot}:
     * relative paths, each with a word on how ("differs", "missing", "extra"). Empty means pristine.
     */
    public List<String> differences(Path solutionRoot, Path skeletonRoot) {
        Map<Path, String> expected = generateTree(solutionRoot);
        Set<Path> actual = new TreeSet<>();
        if (Files.isDirectory(skeletonRoot)) {
            try (Stream<Path> files = Files.walk(skeletonRoot)) {
                files.filter(Files::isRegularFile).map(skeletonRoot::relativize).forEach(actual::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the skeleton under " + skeletonRoot, e);
            }
        }
        List<String> differences = new ArrayList<>();
        for (Map.Entry<Path, String> entry : expected.entrySet()) {
            Path file = skeletonRoot.resolve(entry.getKey());
            if (!actual.contains(entry.getKey())) {
                differences.add(entry.getKey() + " (missing)");
            } else if (!read(file).equals(entry.getValue())) {
                differences.add(entry.getKey() + " (differs)");
            }
        }
        for (Path extra : actual) {
            if (!expected.containsKey(extra)) {
                differences.add(extra + " (extra)");
            }
        }
        return differences;
    }

    /** Writes the generated skeleton of {@code solutionRoot} over {@code skeletonRoot}, removing extra files. */
    public List<Path> write(Path solutionRoot, Path skeletonRoot) {
        return write(generateTree(solutionRoot), skeletonRoot);
    }

    /** Writes {@code expected} (relative path to text) over {@code skeletonRoot}, removing extra files. */
    public List<Path> write(Map<Path, String> expected, Path skeletonRoot) {
        List<Path> written = new ArrayList<>();
        try {
            if (Files.isDirectory(skeletonRoot)) {
                try (Stream<Path> files = Files.walk(skeletonRoot)) {
                    for (Path path : files.filter(Files::isRegularFile).toList()) {
                        if (!expected.containsKey(skeletonRoot.relativize(path))) {
                            Files.delete(path);
                            written.add(path);
                        }
                    }
                }
            }
            for (Map.Entry<Path, String> entry : expected.entrySet()) {
                Path target = skeletonRoot.resolve(entry.getKey());
                if (!Files.exists(target) || !read(target).equals(entry.getValue())) {
                    Files.createDirectories(target.getParent());
                    Files.writeString(target, entry.getValue(), StandardCharsets.UTF_8);
                    written.add(target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the skeleton under " + skeletonRoot, e);
        }
        return written;
    }

    private static List<String> skeletonBody(ExerciseRegion region) {
        List<String> replacement = new ArrayList<>();
        for (String line : region.body()) {
            String stripped = line.stripLeading();
            if (stripped.startsWith(SKELETON_LINE_PREFIX) || stripped.equals(SKELETON_LINE_PREFIX.strip())) {
                String indent = line.substring(0, line.length() - stripped.length());
                String code = stripped.length() > SKELETON_LINE_PREFIX.length()
                    ? stripped.substring(SKELETON_LINE_PREFIX.length()) : "";
                replacement.add(code.isEmpty() ? "" : indent + code);
            }
        }
        return replacement;
    }

    /**
     * Puts the regions of one exercise in a learner's file back the way the skeleton has them, and leaves
     * every other line as the learner wrote it: the {@code ./workbook reset} of one exercise.
     *
     * <p>The learner's regions of {@code exercise} are matched to the skeleton's by their order in the
     * file. Imports are then tidied: an import the learner added that nothing uses any more is dropped (the
     * skeleton's own imports stay, as the generator keeps them), and the marker's import is added if a
     * restored body throws it, so that resetting every exercise of an otherwise untouched file gives back
     * the generated skeleton byte for byte.
     *
     * @param file           names the source in error messages
     * @param learnerSource  the learner's file
     * @param skeletonSource what {@link #generate(String, String)} makes of the same file's solution
     * @throws IllegalArgumentException if the two hold a different number of regions of {@code exercise}
     *                                  (marker lines were removed or added), or a region is malformed
     */
    public String restore(String file, String learnerSource, String skeletonSource, String exercise) {
        List<String> lines = learnerSource.lines().toList();
        List<ExerciseRegion> mine = ExerciseRegion.parse(file, lines).stream()
            .filter(r -> r.exercise().equals(exercise)).toList();
        List<ExerciseRegion> skeleton = ExerciseRegion.parse(file, skeletonSource.lines().toList()).stream()
            .filter(r -> r.exercise().equals(exercise)).toList();
        if (mine.size() != skeleton.size()) {
            throw new IllegalArgumentException(file + " holds " + mine.size() + " region(s) of exercise " + exercise
                + " where the skeleton has " + skeleton.size() + ": put back the '// BEGIN EXERCISE " + exercise
                + "' and '// END EXERCISE " + exercise + "' lines first");
        }
        if (mine.isEmpty()) {
            return learnerSource;
        }
        List<String> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < mine.size(); i++) {
            out.addAll(lines.subList(next, mine.get(i).beginLine())); // up to and including BEGIN
            out.addAll(skeleton.get(i).body());
            next = mine.get(i).endLine() - 1; // the END line is copied with what follows
        }
        out.addAll(lines.subList(next, lines.size()));
        // tidyImports adds the marker's import where it sorts; a learner's file may not keep imports sorted,
        // so only ask for it when it is not already there
        boolean needsMarkerImport = out.stream().anyMatch(line -> line.contains("new ExerciseNotDone("))
            && out.stream().noneMatch(line -> line.strip().equals(MARKER_IMPORT));
        // An import the skeleton has stays; one the learner added for the restored answer goes once unused.
        Set<String> mayDrop = new TreeSet<>();
        Set<String> skeletonImports = Set.copyOf(skeletonSource.lines().map(String::strip).toList());
        for (String line : out) {
            if (IMPORT.matcher(line).matches() && !skeletonImports.contains(line.strip())) {
                mayDrop.add(line.strip());
            }
        }
        return String.join("\n", tidyImports(out, needsMarkerImport, mayDrop))
            + (learnerSource.endsWith("\n") ? "\n" : "");
    }

    /** The exercise ids marked anywhere below {@code solutionRoot}, in order. */
    public Set<String> exercises(Path solutionRoot) {
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> files = Files.walk(solutionRoot)) {
            for (Path path : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                ExerciseRegion.parse(path.toString(), Files.readAllLines(path, StandardCharsets.UTF_8))
                    .forEach(r -> ids.add(r.exercise()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the solution under " + solutionRoot, e);
        }
        return ids;
    }

    /**
     * Adds the marker's import, in sorted place, if the skeleton throws it, and drops the imports of
     * {@code mayDrop} that nothing uses any more; every other import stays, for the learner's answer.
     */
    private static List<String> tidyImports(List<String> lines, boolean usesMarker, Set<String> mayDrop) {
        StringBuilder code = new StringBuilder();
        for (String line : lines) {
            if (!IMPORT.matcher(line).matches()) {
                code.append(line).append('\n');
            }
        }
        String text = code.toString();
        List<String> out = new ArrayList<>();
        int lastImport = -1;
        int packageLine = -1;
        boolean hasMarkerImport = false;
        for (String line : lines) {
            Matcher m = IMPORT.matcher(line);
            if (m.matches()) {
                String name = m.group(2);
                String simple = name.substring(name.lastIndexOf('.') + 1);
                if (mayDrop.contains(line.strip())
                    && !Pattern.compile("\\b" + Pattern.quote(simple) + "\\b").matcher(text).find()) {
                    continue; // the learner added it for code that is gone
                }
                hasMarkerImport |= line.strip().equals(MARKER_IMPORT);
                if (usesMarker && !hasMarkerImport && m.group(1) == null
                    && name.compareTo("org.mqworkbook.marker.ExerciseNotDone") > 0) {
                    out.add(MARKER_IMPORT);
                    hasMarkerImport = true;
                }
                out.add(line);
                lastImport = out.size() - 1;
            } else {
                if (line.startsWith("package ")) {
                    packageLine = out.size();
                }
                out.add(line);
            }
        }
        if (usesMarker && !hasMarkerImport) {
            if (lastImport >= 0) {
                out.add(lastImport + 1, MARKER_IMPORT);
            } else {
                out.add(packageLine + 1, "");
                out.add(packageLine + 2, MARKER_IMPORT);
            }
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
