package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./workbook} bash launcher, run as a learner runs it. */
@Timeout(60)
class LauncherTest {
    private static final Path LAUNCHER = ChapterFiveCopy.REPO.resolve("workbook");

    @TempDir
    Path elsewhere;

    /** What a process printed (stdout and stderr together) and returned. */
    private record Ran(int exit, String output) {
    }

    private static Ran bash(Path script, Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(50, TimeUnit.SECONDS)).isTrue();
        return new Ran(process.exitValue(), output);
    }

    @Test
    void findsTheRepositoryFromAnyDirectory() throws Exception {
        Ran status = bash(LAUNCHER, elsewhere, "status", "5");

        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output()).contains("your progress", "chapter05-inmemory/README.md", "5.1 A bounded");
    }

    @Test
    void listsItsCommands() throws Exception {
        Ran help = bash(LAUNCHER, elsewhere, "--help");

        assertThat(help.exit()).as(help.output()).isZero();
        assertThat(help.output()).contains("Usage: workbook", "status", "test", "watch", "hint", "diff", "reset",
            "run");
    }

    @Test
    void saysToBuildFirstWhenTheToolIsNotBuilt() throws Exception {
        Path fresh = Files.copy(LAUNCHER, elsewhere.resolve("workbook"));

        Ran ran = bash(fresh, elsewhere, "status");

        assertThat(ran.exit()).isEqualTo(2);
        assertThat(ran.output()).contains("the tool is not built yet", "./mvnw verify");
    }
}
