package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.mqworkbook.engine.ExerciseRegion;
import org.mqworkbook.engine.SkeletonGenerator;

/**
 * The exercise regions of one chapter, three ways: the learner's code, the untouched skeleton (what the
 * build's {@link SkeletonGenerator} makes of the solution, generated afresh, never read from git) and
 * the reference solution. Status, diff and reset are all comparisons between these three.
 *
 * <p>Regions of one exercise are matched across the three by file and by their order in the file, the
 * way the generator itself lays them out. If the learner removed or added marker lines, that exercise
 * has a {@link #problem}: the tool says so instead of guessing.
 *
 * <p>An immutable snapshot of the files when it was read; thread safe.
 */
final class ExerciseCode {
    /**
     * One exercise region in one file.
     *
     * @param file   relative to the source root, e.g. {@code org/mqworkbook/inmemory/Broker.java}
     * @param region the region, with its line numbers in that file
     */
    record Placed(Path file, ExerciseRegion region) {
    }

    private static final String MARKER_IMPORT = "import org.mqworkbook.marker.ExerciseNotDone;";

    private final Path root;
    private final Map<Path, String> learner;
    private final Map<Path, String> skeleton;
    private final Map<Path, String> reference;
    /** Per learner file: its regions, or the reason they cannot be read (a BEGIN without an END, ...). */
    private final Map<Path, List<ExerciseRegion>> learnerRegions = new TreeMap<>();
    private final Map<Path, String> unreadable = new TreeMap<>();

    private ExerciseCode(Path root, Map<Path, String> learner, Map<Path, String> skeleton,
                         Map<Path, String> reference) {
        this.root = root;
        this.learner = learner;
        this.skeleton = skeleton;
        this.reference = reference;
        learner.forEach((file, text) -> {
            try {
                learnerRegions.put(file, ExerciseRegion.parse(file.toString(), text.lines().toList()));
            } catch (IllegalArgumentException e) {
                unreadable.put(file, e.getMessage());
            }
        });
    }

    static ExerciseCode read(Chapter chapter) {
        return new ExerciseCode(chapter.sources(), javaSources(chapter.sources()),
            javaOnly(new SkeletonGenerator().generateTree(chapter.solutionSources())),
            javaSources(chapter.solutionSources()));
    }

    /** The learner's source root: the files below are relative to it. */
    Path root() {
        return root;
    }

    /** The learner's regions of {@code exercise}, in the skeleton's file order. */
    List<Placed> learner(String exercise) {
        List<Placed> placed = new ArrayList<>();
        learnerRegions.forEach((file, regions) -> regions.stream().filter(r -> r.exercise().equals(exercise))
            .forEach(r -> placed.add(new Placed(file, r))));
        return placed;
    }

    List<Placed> skeleton(String exercise) {
        return regions(skeleton, exercise);
    }

    List<Placed> reference(String exercise) {
        return regions(reference, exercise);
    }

    /** The learner's file, or empty if it is missing. */
    Optional<String> learnerText(Path file) {
        return Optional.ofNullable(learner.get(file));
    }

    String skeletonText(Path file) {
        return skeleton.get(file);
    }

    /**
     * Why the learner's regions of {@code exercise} cannot be matched with the skeleton's: a file is
     * missing, a marker line is missing or extra. Empty when they match.
     */
    Optional<String> problem(String exercise) {
        Map<Path, Long> expected = counts(skeleton(exercise));
        Map<Path, Long> found = counts(learner(exercise));
        for (Path file : expected.keySet()) {
            if (!learner.containsKey(file)) {
                return Optional.of(file + " is missing (./workbook reset " + exercise + " brings it back)");
            }
            if (unreadable.containsKey(file)) {
                return Optional.of(unreadable.get(file));
            }
        }
        Set<Path> files = new TreeSet<>(expected.keySet());
        files.addAll(found.keySet());
        for (Path file : files) {
            long want = expected.getOrDefault(file, 0L);
            long have = found.getOrDefault(file, 0L);
            if (want != have) {
                return Optional.of(file + " has " + have + " region(s) of exercise " + exercise + " where the "
                    + "skeleton has " + want + ": keep each '// BEGIN EXERCISE " + exercise + "' and '// END EXERCISE "
                    + exercise + "' line as it was");
            }
        }
        return Optional.empty();
    }

    /** The learner has not changed {@code exercise}'s regions: they are the skeleton's (trailing blanks aside). */
    boolean untouched(String exercise) {
        return bodies(learner(exercise)).equals(bodies(skeleton(exercise)));
    }

    /**
     * A short digest of the learner's code for {@code exercise}: "done" holds only while the code that
     * passed is the code that is there.
     */
    String fingerprint(String exercise) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Placed p : learner(exercise)) {
                digest.update((p.file() + "\n" + String.join("\n", p.region().body()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Whether the learner's files differ from the skeleton only inside exercise regions (imports aside): no
     * file added or removed, every line outside the regions as the skeleton has it. Exercise regions are
     * method bodies, so then every class has the skeleton's API, whatever the learner wrote in them; the
     * compiler uses this to recompile only the files that changed.
     */
    boolean onlyRegionsChanged() {
        if (!learner.keySet().equals(skeleton.keySet()) || !unreadable.isEmpty()) {
            return false;
        }
        return learner.keySet().stream().allMatch(file -> outsideRegions(learner.get(file), learnerRegions.get(file))
            .equals(outsideRegions(skeleton.get(file), ExerciseRegion.parse(file.toString(),
                skeleton.get(file).lines().toList()))));
    }

    /**
     * The learner's files that differ from the skeleton outside their exercise regions (imports aside),
     * relative to the source root, in order: where the learner changed given code, which the tests assume
     * as it is. Files added or removed by the learner are not listed (the compiler names those).
     */
    List<Path> changedOutsideRegions() {
        List<Path> changed = new ArrayList<>();
        for (Path file : learner.keySet()) {
            if (!skeleton.containsKey(file) || unreadable.containsKey(file)) {
                continue;
            }
            List<String> mine = outsideRegions(learner.get(file), learnerRegions.get(file));
            List<String> given = outsideRegions(skeleton.get(file), ExerciseRegion.parse(file.toString(),
                skeleton.get(file).lines().toList()));
            if (!mine.equals(given)) {
                changed.add(file);
            }
        }
        return changed;
    }

    /** The lines of {@code text} outside its regions' bodies, without import lines. */
    private static List<String> outsideRegions(String text, List<ExerciseRegion> regions) {
        List<String> lines = text.lines().toList();
        List<String> outside = new ArrayList<>();
        int next = 0;
        for (ExerciseRegion region : regions) {
            outside.addAll(lines.subList(next, region.beginLine())); // up to and including BEGIN
            next = region.endLine() - 1; // from END on
        }
        outside.addAll(lines.subList(next, lines.size()));
        return outside.stream().map(String::stripTrailing).filter(line -> !line.startsWith("import ")).toList();
    }

    /** The learner's files that import the exercise marker and no longer use it. */
    List<Path> unusedMarkerImports() {
        return learner.entrySet().stream()
            .filter(e -> e.getValue().lines().anyMatch(line -> line.strip().equals(MARKER_IMPORT)))
            .filter(e -> e.getValue().split("\\bExerciseNotDone\\b", -1).length == 2)
            .map(Map.Entry::getKey).toList();
    }

    private static List<List<String>> bodies(List<Placed> placed) {
        return placed.stream().map(p -> p.region().body().stream().map(String::stripTrailing).toList()).toList();
    }

    private static List<Placed> regions(Map<Path, String> tree, String exercise) {
        List<Placed> placed = new ArrayList<>();
        tree.forEach((file, text) -> ExerciseRegion.parse(file.toString(), text.lines().toList()).stream()
            .filter(r -> r.exercise().equals(exercise)).forEach(r -> placed.add(new Placed(file, r))));
        return placed;
    }

    private static Map<Path, Long> counts(List<Placed> placed) {
        Map<Path, Long> counts = new TreeMap<>();
        placed.forEach(p -> counts.merge(p.file(), 1L, Long::sum));
        return counts;
    }

    private static Map<Path, String> javaOnly(Map<Path, String> tree) {
        Map<Path, String> java = new TreeMap<>();
        tree.forEach((file, text) -> {
            if (file.toString().endsWith(".java")) {
                java.put(file, text);
            }
        });
        return java;
    }

    private static Map<Path, String> javaSources(Path root) {
        Map<Path, String> files = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).toList()) {
                files.put(root.relativize(path), Files.readString(path, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sources under " + root, e);
        }
        return files;
    }
}
