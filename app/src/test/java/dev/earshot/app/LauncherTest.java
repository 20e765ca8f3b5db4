package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./earshot} launcher, run in a copy of the checkout's layout with a stand-in {@code java} (prints how it
 * was called) and {@code mvn} (records that a build was asked for, and fails) first on the PATH: so nothing is
 * built or installed, and the test sees whether the launcher thought the build was stale.
 */
class LauncherTest {
    static final Path LAUNCHER = Path.of("..", "earshot");

    @TempDir
    Path dir;
    Path repo, jar, bin, mvnLog;

    @BeforeEach
    void checkout() throws IOException {
        repo = Files.createDirectories(dir.resolve("repo"));
        Files.copy(LAUNCHER, repo.resolve("earshot"));
        executable(repo.resolve("earshot"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        write(repo.resolve("native/src/main/cpp/gru.cpp"), "// the core\n");
        write(repo.resolve("native/src/main/cpp/gru.h"), "// its header\n");
        write(repo.resolve("api/src/main/java/dev/earshot/api/Spotter.java"), "class Spotter {}\n");
        write(repo.resolve("cmake/CMakeLists.txt"), "project(earshot)\n");
        jar = write(repo.resolve("app/target/earshot.jar"), "not really a jar\n");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        try (var files = Files.walk(repo)) {  // every source older than the jar: the build is fresh
            for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.equals(jar)).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
            }
        }
        bin = Files.createDirectories(dir.resolve("bin"));
        mvnLog = dir.resolve("mvn.log");
        script(bin.resolve("java"), "echo \"java $*\"\n");
        script(bin.resolve("mvn"), "echo \"mvn $* (in $PWD)\" >> '" + mvnLog + "'\nexit 3\n");
    }

    @Test
    void freshBuildRunsTheJar() throws Exception {
        Run r = launch(repo.resolve("earshot"), "--version");
        assertEquals(0, r.exit, r.all());
        assertFalse(Files.exists(mvnLog), "no build: " + r.all());
        assertTrue(r.out.contains("-jar " + jar.toRealPath() + " --version"), r.all());
    }

    /** Through a symlink (say ~/bin/earshot), the launcher finds its checkout, not the link's folder. */
    @Test
    void runsThroughASymlink() throws Exception {
        Path links = Files.createDirectories(dir.resolve("links"));
        Files.createSymbolicLink(links.resolve("earshot"), repo.resolve("earshot"));
        Path chained = Files.createDirectories(dir.resolve("more")).resolve("es");
        Files.createSymbolicLink(chained, links.resolve("earshot"));
        for (Path link : List.of(links.resolve("earshot"), chained)) {
            Run r = launch(link, "listen", "--help");
            assertEquals(0, r.exit, link + ": " + r.all());
            assertFalse(Files.exists(mvnLog), link + " rebuilt: " + r.all() + read(mvnLog));
            assertTrue(r.out.contains("-jar " + jar.toRealPath() + " listen --help"), r.all());
        }
    }

    /** scripts/test.sh's CMake build folders (generated files, copies of headers) are not sources of the jar. */
    @Test
    void cmakeBuildFoldersAreNotSources() throws Exception {
        write(repo.resolve("cmake/build/CMakeFiles/CompilerIdCXX/CMakeCXXCompilerId.cpp"), "int main() {}\n");
        write(repo.resolve("cmake/build/generated/config.h"), "#define X 1\n");
        write(repo.resolve("cmake/build-asan/CMakeFiles/CompilerIdCXX/CMakeCXXCompilerId.cpp"), "int main() {}\n");
        write(repo.resolve("cmake/build-release/_deps/gtest/include/gtest.h"), "// fetched\n");
        Run r = launch(repo.resolve("earshot"), "--version");
        assertEquals(0, r.exit, r.all());
        assertFalse(Files.exists(mvnLog), "rebuilt for CMake's build output: " + read(mvnLog));
    }

    /** A source newer than the jar still rebuilds, with `mvn package` in the checkout (nothing installed into ~/.m2). */
    @Test
    void newerSourceRebuilds() throws Exception {
        for (String source : List.of("native/src/main/cpp/gru.h", "api/src/main/java/dev/earshot/api/Spotter.java",
                "pom.xml")) {
            Files.deleteIfExists(mvnLog);
            Files.setLastModifiedTime(repo.resolve(source), FileTime.from(Instant.now()));
            Run r = launch(repo.resolve("earshot"), "--version");
            assertEquals(3, r.exit, source + ": the stand-in mvn's failure stops the launcher: " + r.all());
            assertTrue(r.err.contains("building"), r.all());
            assertEquals("mvn -q -B -DskipTests package (in " + repo.toRealPath() + ")", read(mvnLog).trim(), source);
            Files.setLastModifiedTime(repo.resolve(source), FileTime.from(Instant.now().minusSeconds(3600)));
        }
    }

    /** {@code spark …} runs Main with Spark's class path from the build after the jar, its module flags and a SPARK_HOME. */
    @Test
    void sparkCommandsGetSparksClassPath() throws Exception {
        Run missing = launch(repo.resolve("earshot"), "spark", "recognize", "--master", "local[2]");
        assertEquals(1, missing.exit, missing.all());
        assertTrue(missing.err.contains("spark-classpath.txt is missing"), missing.all());
        write(repo.resolve("spark/target/spark-classpath.txt"), "/m2/spark-core.jar:/m2/scala-library.jar");
        Run r = launch(repo.resolve("earshot"), "spark", "recognize", "--master", "local[2]");
        assertEquals(0, r.exit, r.all());
        assertFalse(Files.exists(mvnLog), "no build: " + r.all());
        assertTrue(r.out.contains("-cp " + jar.toRealPath() + ":/m2/spark-core.jar:/m2/scala-library.jar "
                + "dev.earshot.app.Main spark recognize --master local[2]"), r.all());
        assertTrue(r.out.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), r.all());
        assertTrue(Files.isDirectory(repo.resolve("spark/target/spark-home/jars")), "SPARK_HOME/jars made");
        Run other = launch(repo.resolve("earshot"), "listen", "--help");
        assertTrue(other.out.contains("-jar " + jar.toRealPath() + " listen --help"), other.all());
    }

    record Run(int exit, String out, String err) {
        String all() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private Run launch(Path launcher, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("EARSHOT_JAVA_OPTS", "-Xmx64m");
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static void script(Path file, String body) throws IOException {
        write(file, "#!/bin/sh\n" + body);
        executable(file);
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
