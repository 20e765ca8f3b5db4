package dev.earshot.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
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

    /** How one mutant ended: {@code problem} is null when it ended as it should; {@code accepted}: read, not refused. */
    public record Verdict(String problem, boolean accepted) {}

    /** What a campaign found; each failure's input is saved under target/fuzz-failures/. */
    public record Campaign(int cases, int accepted, int refused, List<String> failures) {}

    /**
     * A seeded fuzz campaign over {@code target}'s corpus: case c seeds a generator with {@code baseSeed + c}, which
     * picks a corpus file (in {@link #list} order) and {@code mutate}s it; {@code check} judges the mutant, given its
     * bytes and its seed. A mutant with a problem is saved as {@code seed-<seed>.<ext>} and listed with the corpus
     * file it came from. Prints one summary line.
     */
    public static Campaign campaign(String target, String ext, int cases, long baseSeed,
                                    BiFunction<byte[], SplittableRandom, byte[]> mutate, BiFunction<byte[], Long, Verdict> check) {
        List<Path> corpus = list(target, "corpus");
        List<byte[]> seeds = new ArrayList<>();
        for (Path p : corpus) seeds.add(read(p));
        int accepted = 0;
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < cases; c++) {
            long seed = baseSeed + c;
            SplittableRandom rng = new SplittableRandom(seed);
            int from = rng.nextInt(seeds.size());
            byte[] mutant = mutate.apply(seeds.get(from), rng);
            Verdict v = check.apply(mutant, seed);
            if (v.problem() != null) {
                Path kept = saveFailure(target, "seed-" + seed + "." + ext, mutant);
                failures.add("seed " + seed + " (a mutant of " + corpus.get(from).getFileName() + "): " + v.problem()
                        + " -> " + kept.getFileName());
            } else if (v.accepted()) {
                accepted++;
            }
        }
        int refused = cases - accepted - failures.size();
        System.out.printf("fuzz %s: %d cases from %d seeds in %.1f s: %d accepted, %d refused, %d failed%n", target, cases,
                seeds.size(), (System.nanoTime() - t0) / 1e9, accepted, refused, failures.size());
        return new Campaign(cases, accepted, refused, failures);
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
