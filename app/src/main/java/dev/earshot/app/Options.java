package dev.earshot.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Checks of option values, made before a command does any work. Each failure is an
 * {@link IllegalArgumentException} whose message names the option, the value and what is allowed; the command
 * line prints it as one line, {@code earshot <command>: …}, with exit code 2 (see {@link Main#commandLine()}).
 */
final class Options {
    private Options() {}

    /** {@code value} must be at least {@code min}. */
    static void atLeast(String option, long value, long min) {
        if (value < min) throw bad(option + " must be at least " + min + ", not " + value);
    }

    /** {@code value} must be a number greater than 0. */
    static void positive(String option, double value) {
        if (!(value > 0)) throw bad(option + " must be greater than 0, not " + num(value));
    }

    /** {@code value} must be a number of at least 0. */
    static void nonNegative(String option, double value) {
        if (!(value >= 0)) throw bad(option + " must be 0 or more, not " + num(value));
    }

    /** {@code value} must be in [lo, hi]. */
    static void inRange(String option, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi)) {
            throw bad(option + " must be from " + num(lo) + " to " + num(hi) + ", not " + num(value));
        }
    }

    /** {@code value} must be in [lo, hi). */
    static void inHalfOpenRange(String option, double value, double lo, double hi) {
        if (!(value >= lo && value < hi)) {
            throw bad(option + " must be at least " + num(lo) + " and below " + num(hi) + ", not " + num(value));
        }
    }

    /** {@code value} must be one of {@code allowed} (exactly, case-sensitive); returns it. */
    static String oneOf(String option, String value, String... allowed) {
        if (Arrays.asList(allowed).contains(value)) return value;
        throw bad(option + " must be " + either(allowed) + ", not '" + value + "'");
    }

    /** "a", "a or b", "a, b or c". */
    static String either(String... allowed) {
        if (allowed.length == 1) return allowed[0];
        return String.join(", ", Arrays.copyOf(allowed, allowed.length - 1)) + " or " + allowed[allowed.length - 1];
    }

    /**
     * A file the command will write: its folder must exist and be writable (it is not created), and the path must
     * not be a folder itself.
     */
    static void outputFile(String option, Path file) {
        if (file == null) return;
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) throw bad(option + " " + file + ": is a folder; give a file name");
        Path dir = abs.getParent();
        if (dir == null) return;
        if (!Files.exists(dir)) throw bad(option + " " + file + ": the folder " + dir + " does not exist (create it first)");
        if (!Files.isDirectory(dir)) throw bad(option + " " + file + ": " + dir + " is not a folder");
        if (!Files.isWritable(dir)) throw bad(option + " " + file + ": the folder " + dir + " is not writable");
        if (Files.exists(abs) && !Files.isWritable(abs)) throw bad(option + " " + file + ": the file is not writable");
    }

    /** A folder the command reads: it must exist and be a folder. */
    static void inputFolder(String option, Path dir) {
        if (dir == null) return;
        if (!Files.exists(dir)) throw bad(option + " " + dir + ": no such folder");
        if (!Files.isDirectory(dir)) throw bad(option + " " + dir + ": not a folder");
    }

    /** A file the command reads: it must exist and be a regular file. */
    static void inputFile(String option, Path file) {
        if (file == null) return;
        if (!Files.exists(file)) throw bad(option + " " + file + ": no such file");
        if (Files.isDirectory(file)) throw bad(option + " " + file + ": is a folder, not a file");
    }

    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }

    private static IllegalArgumentException bad(String message) {
        return new IllegalArgumentException(message);
    }
}
