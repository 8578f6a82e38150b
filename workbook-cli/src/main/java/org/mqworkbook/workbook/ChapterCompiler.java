package org.mqworkbook.workbook;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a source tree with the JDK's own compiler, in this JVM ({@code javax.tools}), with the flags
 * the build uses, into a directory of the tool's own.
 *
 * <p>It compiles as little as it safely can. A stamp beside the output records every source file's path,
 * size and modification time, and the classpath:
 * <ul>
 *   <li>nothing changed: nothing to compile;</li>
 *   <li>only some files changed, and the learner's code differs from the skeleton only inside exercise
 *       regions (method bodies: imports aside), now and at the last compilation: then no class's API can
 *       have changed, so only the changed files are compiled, against the classes already there. That is
 *       the common case — a learner editing an exercise — and it takes about a third of the time;</li>
 *   <li>anything else (a new or deleted file, a change outside the regions, a new classpath): everything
 *       is compiled, because a changed signature or constant would otherwise leave stale classes behind.</li>
 * </ul>
 * In watch mode the compiler also stays loaded and warmed up in this JVM.
 *
 * <p>Not thread-safe: one compilation at a time.
 */
final class ChapterCompiler {
    /**
     * The flags the build uses for a learner's chapter module (its pom: warnings are shown, not fatal),
     * so that the tool and {@code ./mvnw verify} agree on what compiles.
     */
    static final List<String> FLAGS = List.of("--release", "17", "-encoding", "UTF-8", "-proc:none", "-g",
        "-Xlint:all,-processing,-serial", "-Xmaxerrs", "20");

    /**
     * One compiler message.
     *
     * @param kind       "error" or "warning" (a warning is shown; only errors stop the run)
     * @param file       the source, or null for a message about the whole compilation
     * @param line       1-based, or 0 if none
     * @param column     1-based, or 0 if none
     * @param message    the compiler's words, possibly several lines
     * @param sourceLine the offending line of source, or empty
     */
    record Problem(String kind, Path file, long line, long column, String message, String sourceLine) {
    }

    /**
     * @param upToDate nothing changed since the last successful compilation: nothing was compiled
     * @param problems why it failed, or the warnings of a compilation that worked
     */
    record Result(boolean upToDate, List<Problem> problems) {
        /** Compiled: no errors (warnings do not stop a learner's module, as in the build). */
        boolean ok() {
            return problems.stream().noneMatch(p -> p.kind().equals("error"));
        }
    }

    private final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();

    /**
     * Compiles what changed under {@code sources} into {@code output}.
     *
     * @param regionsOnly the sources differ from the skeleton only inside exercise regions (see the class
     *                    comment); pass false when unsure, and everything changed is compiled with all the rest
     */
    Result compile(Path sources, Path output, List<String> classpath, boolean regionsOnly) {
        if (javac == null) {
            throw new WorkbookException("this Java has no compiler: ./workbook needs a JDK 17 or newer, not a JRE "
                + "(java.home is " + System.getProperty("java.home") + ")");
        }
        Path stampFile = output.resolveSibling(output.getFileName() + ".stamp");
        Stamp now = Stamp.of(sources, javaFiles(sources), classpath, regionsOnly);
        Stamp before = Files.isDirectory(output) ? Stamp.read(stampFile) : Stamp.NONE;
        if (now.equals(before)) {
            return new Result(true, List.of());
        }
        List<Path> files;
        List<String> path = new ArrayList<>();
        if (before.regionsOnly() && now.regionsOnly() && before.classpath().equals(now.classpath())
            && before.files().keySet().equals(now.files().keySet())) {
            files = now.changedSince(before).stream().map(sources::resolve).toList();
            path.add(output.toString()); // the classes of the unchanged files
        } else {
            files = now.files().keySet().stream().map(sources::resolve).toList();
            deleteRecursively(output);
        }
        path.addAll(classpath);
        deleteRecursively(stampFile); // until this compilation succeeds, the next one compiles everything
        List<String> options = new ArrayList<>(List.of("-d", output.toString(), "-implicit:none",
            "-classpath", String.join(File.pathSeparator, path)));
        options.addAll(FLAGS);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok;
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(diagnostics, null,
            StandardCharsets.UTF_8)) {
            Files.createDirectories(output);
            ok = javac.getTask(null, fileManager, diagnostics, options, null,
                fileManager.getJavaFileObjectsFromPaths(files)).call();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile " + sources + " into " + output, e);
        }
        if (!ok) {
            return new Result(false, problems(diagnostics));
        }
        now.write(stampFile);
        return new Result(false, problems(diagnostics));
    }

    /**
     * What a compilation was made from.
     *
     * @param classpath   a digest of the classpath and flags
     * @param regionsOnly whether the sources differed from the skeleton only inside exercise regions
     * @param files       each source, relative to the source root, with its size and modification time
     */
    record Stamp(String classpath, boolean regionsOnly, Map<Path, String> files) {
        static final Stamp NONE = new Stamp("", false, Map.of());

        static Stamp of(Path sources, List<Path> javaFiles, List<String> classpath, boolean regionsOnly) {
            Map<Path, String> files = new TreeMap<>();
            try {
                for (Path file : javaFiles) {
                    files.put(sources.relativize(file), Files.size(file) + " "
                        + Files.getLastModifiedTime(file).toMillis());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + sources, e);
            }
            return new Stamp(digest(String.join(File.pathSeparator, classpath) + " " + String.join(" ", FLAGS)),
                regionsOnly, files);
        }

        List<Path> changedSince(Stamp before) {
            return files.entrySet().stream().filter(e -> !e.getValue().equals(before.files().get(e.getKey())))
                .map(Map.Entry::getKey).toList();
        }

        /** Reads a stamp {@link #write} wrote; {@link #NONE} if there is none (or it cannot be read). */
        static Stamp read(Path file) {
            try {
                if (!Files.isRegularFile(file)) {
                    return NONE;
                }
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                Map<Path, String> files = new TreeMap<>();
                for (String line : lines.subList(2, lines.size())) {
                    int tab = line.indexOf('\t');
                    files.put(Path.of(line.substring(0, tab)), line.substring(tab + 1));
                }
                return new Stamp(lines.get(0), Boolean.parseBoolean(lines.get(1)), files);
            } catch (IOException | RuntimeException e) {
                return NONE;
            }
        }

        void write(Path file) {
            StringBuilder text = new StringBuilder(classpath).append('\n').append(regionsOnly).append('\n');
            files.forEach((path, sizeAndTime) -> text.append(path).append('\t').append(sizeAndTime).append('\n'));
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }
    }

    private static List<Problem> problems(DiagnosticCollector<JavaFileObject> diagnostics) {
        List<Problem> problems = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            String kind = switch (d.getKind()) {
                case ERROR -> "error";
                case WARNING, MANDATORY_WARNING -> "warning";
                default -> "";
            };
            if (kind.isEmpty()) {
                continue;
            }
            Path file = d.getSource() == null ? null : Path.of(d.getSource().toUri());
            long line = Math.max(0, d.getLineNumber());
            problems.add(new Problem(kind, file, line, Math.max(0, d.getColumnNumber()), d.getMessage(null),
                sourceLine(file, line)));
        }
        // errors first: "warnings found and -Werror specified" explains nothing on its own
        problems.sort(Comparator.comparing(p -> p.kind().equals("error") && p.file() == null));
        return problems;
    }

    private static String sourceLine(Path file, long line) {
        if (file == null || line < 1) {
            return "";
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.skip(line - 1).findFirst().orElse("");
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static List<Path> javaFiles(Path sources) {
        if (!Files.isDirectory(sources)) {
            throw new WorkbookException("no sources to compile: " + sources + " is missing");
        }
        try (Stream<Path> walk = Files.walk(sources)) {
            return walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + sources, e);
        }
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
