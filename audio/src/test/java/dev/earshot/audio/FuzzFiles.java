package dev.earshot.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;

/**
 * The committed inputs of one fuzz target, {@code src/test/resources/fuzz/<target>/corpus/} (the seeds mutations
 * start from) and {@code crashers/} (every input that ever failed, replayed forever), and where a fuzz run puts
 * an input that fails: {@code target/fuzz-failures/<target>/}.
 */
public final class FuzzFiles {
    private FuzzFiles() {
    }

    /** The directory fuzz/{@code target}/{@code kind} on the test class path (kind: corpus or crashers). */
    public static Path dir(String target, String kind) {
        String dir = "/fuzz/" + target + "/" + kind;
        URL url = FuzzFiles.class.getResource(dir);
        if (url == null) throw new IllegalStateException("missing test resource directory " + dir);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files of {@link #dir}, sorted by name; READMEs left out. A corpus must not be empty. */
    public static List<Path> list(String target, String kind) {
        try (Stream<Path> files = Files.list(dir(target, kind))) {
            List<Path> out = files.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().equals("README.md"))
                    .sorted().toList();
            if (out.isEmpty() && kind.equals("corpus")) throw new IllegalStateException("no corpus files in fuzz/" + target + "/corpus");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The crashers' README.md, which must say what each crasher caught. */
    public static String crashersReadme(String target) {
        try {
            return Files.readString(dir(target, "crashers").resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException("fuzz/" + target + "/crashers/README.md is missing", e);
        }
    }

    /**
     * Replays every committed crasher of {@code target}: crashers/README.md must say what each one caught, and
     * {@code problemOf} (null: the input ended as it should) must find no problem with it.
     */
    public static void replayCrashers(String target, Function<Path, String> problemOf) {
        String readme = crashersReadme(target);
        for (Path p : list(target, "crashers")) {
            String name = p.getFileName().toString();
            Assertions.assertTrue(readme.contains(name), "crashers/README.md does not say what " + name + " caught");
            String problem = problemOf.apply(p);
            Assertions.assertNull(problem, "crasher " + name + " fails again: " + problem);
        }
    }

    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The module's directory (surefire's working directory and {@code basedir}). */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    /** Where a committed fuzz directory lives in the source tree (for writing a corpus, and for messages). */
    public static Path sourceDir(String target, String kind) {
        return moduleDir().resolve("src/test/resources/fuzz").resolve(target).resolve(kind);
    }

    /** Writes a failing input to target/fuzz-failures/{@code target}/{@code name} and returns where it went. */
    public static Path saveFailure(String target, String name, byte[] input) {
        Path dir = moduleDir().resolve("target/fuzz-failures").resolve(target);
        try {
            Files.createDirectories(dir);
            return Files.write(dir.resolve(name), input);
        } catch (IOException e) {
            throw new UncheckedIOException("could not keep the failing input " + name, e);
        }
    }

    /** The assertion message for failed cases: what failed and what to do with the inputs. */
    public static String report(String target, int cases, List<String> failures) {
        return failures.size() + " of " + cases + " fuzz inputs failed. Each is in "
                + moduleDir().resolve("target/fuzz-failures").resolve(target) + "/. Fix the bug, then copy every one into "
                + sourceDir(target, "crashers") + "/ and say in its README.md what it caught, so it is replayed forever:\n  "
                + String.join("\n  ", failures.subList(0, Math.min(20, failures.size())));
    }

    /** An unexpected throwable as a one-line failure: its text and where it was thrown. */
    public static String describe(Throwable t) {
        StackTraceElement[] at = t.getStackTrace();
        return t + (at.length > 0 ? " at " + at[0] : "");
    }
}
