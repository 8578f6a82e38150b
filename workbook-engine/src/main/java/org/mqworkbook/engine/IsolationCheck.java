package org.mqworkbook.engine;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Shows that each exercise's tests check <em>that</em> exercise: for every exercise X, it builds the
 * reference solution with only X's regions replaced by the marker, and runs X's tests against it. Each
 * must fail because X's marker was thrown. A test that passes there does not check X (it only looked
 * red on the skeleton because some other exercise was missing); a test that fails another way is broken.
 *
 * <p>This is stronger than the skeleton check alone, where every exercise is missing at once and a
 * 5.3 test can be red merely because 5.2 is not done. Each variant is compiled in this JVM and tested
 * in a forked JVM (its own copy of the classes, its own marker ledger).
 *
 * <p>Not thread-safe: one check at a time.
 */
final class IsolationCheck {
    private static final long FORK_TIMEOUT_MINUTES = 10;

    private final SkeletonGenerator generator = new SkeletonGenerator();

    /** Per exercise, how many of its tests were confirmed red for it alone; violations are added to the list. */
    Map<String, Integer> run(Path module, Path solutionSources, Path toolsSources, List<String> violations) {
        Path testClasses = module.resolve("target/test-classes");
        List<String> dependencies = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !Path.of(entry).toAbsolutePath().normalize().equals(module.resolve("target/classes")))
            .filter(entry -> !Path.of(entry).toAbsolutePath().normalize().equals(testClasses))
            .toList();
        Map<String, Integer> confirmed = new TreeMap<>();
        for (String exercise : generator.exercises(solutionSources)) {
            Path variant = module.resolve("target/workbook/isolation/" + exercise);
            deleteRecursively(variant);
            Path sources = variant.resolve("src");
            Path classes = variant.resolve("classes");
            generator.write(generator.generateTree(solutionSources, exercise::equals), sources);
            // The chapter's tools (tools/chapterNN-name: command line, demos) compile with the variant, as they do
            // with either module, so that a test that starts one runs the variant's broker.
            String compileErrors = compile(List.of(sources, toolsSources), classes, dependencies);
            if (!compileErrors.isEmpty()) {
                violations.add("the solution with only exercise " + exercise + " stubbed does not compile "
                    + "(check the region markers): " + compileErrors);
                continue;
            }
            List<String> classpath = new ArrayList<>();
            classpath.add(classes.toString());
            classpath.add(testClasses.toString());
            classpath.addAll(dependencies);
            Path results = variant.resolve("results.tsv");
            int exit = fork(classpath, testClasses, exercise, results, variant.resolve("output.log"));
            if (exit != 0 || !Files.isRegularFile(results)) {
                violations.add("the isolated run of exercise " + exercise + "'s tests crashed (exit " + exit
                    + "); see " + variant.resolve("output.log"));
                continue;
            }
            int red = 0;
            for (String line : read(results).stream().skip(1).toList()) {
                String[] row = line.split("\t", -1);
                String name = row[0] + "." + row[1];
                boolean failed = row[3].equals("FAILED");
                boolean ownMarker = Arrays.asList(row[4].split(",")).contains(exercise);
                if (!exercise.equals(row[2])) {
                    continue;
                } else if (!failed) {
                    violations.add(name + " [" + exercise + "] " + row[3] + " when only exercise " + exercise
                        + " is missing: it does not check " + exercise);
                } else if (!ownMarker) {
                    violations.add(name + " [" + exercise + "] fails when only exercise " + exercise
                        + " is missing, but not because of it: " + row[5]);
                } else {
                    red++;
                }
            }
            confirmed.put(exercise, red);
        }
        return confirmed;
    }

    private static String compile(List<Path> roots, Path classes, List<String> dependencies) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            Files.createDirectories(classes);
            List<File> javaFiles = new ArrayList<>();
            for (Path root : roots) {
                if (Files.isDirectory(root)) {
                    try (Stream<Path> walk = Files.walk(root)) {
                        walk.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).forEach(javaFiles::add);
                    }
                }
            }
            List<String> options = List.of("-d", classes.toString(), "-classpath",
                String.join(File.pathSeparator, dependencies), "--release", "17", "-proc:none", "-nowarn",
                "-encoding", "UTF-8");
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                files.getJavaFileObjectsFromFiles(javaFiles)).call();
            if (ok) {
                return "";
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile the variant in " + roots.get(0), e);
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).limit(3)
            .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null))
            .collect(Collectors.joining("; "));
    }

    private static int fork(List<String> classpath, Path testClasses, String exercise, Path results, Path log) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-ea",
            "-Xmx512m", "-classpath", String.join(File.pathSeparator, classpath), WorkbookMain.class.getName(),
            "isolate", "--test-classes=" + testClasses, "--exercise=" + exercise, "--out=" + results);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
            if (!process.waitFor(FORK_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
