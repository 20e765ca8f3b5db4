package dev.earshot.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether output may move the cursor: {@code listen}'s panel (ANSI escapes) and {@code train}'s progress bar
 * (carriage returns) are drawn only on a terminal that takes them. Not when the stream goes to a file or a pipe
 * (even if the other streams are a terminal: {@code train 2> log}), not on {@code TERM=dumb} or with no
 * {@code TERM}, and not when {@code NO_COLOR} is set (https://no-color.org): then plain lines only.
 */
public final class Terminal {
    private Terminal() {}

    /** Whether {@code out} is this process's standard output or error and may carry cursor movement. */
    public static boolean live(PrintStream out) {
        if (out == System.out) return live(1);
        if (out == System.err) return live(2);
        return false;
    }

    /** Whether file descriptor {@code fd} (1: standard output, 2: standard error) may carry cursor movement. */
    static boolean live(int fd) {
        String noColor = System.getenv("NO_COLOR");
        if (noColor != null && !noColor.isEmpty()) return false;
        String term = System.getenv("TERM");
        if (term == null || term.isEmpty() || term.equals("dumb")) return false;
        return isTerminal(fd);
    }

    /**
     * Whether file descriptor {@code fd} is a terminal: on Linux, where {@code /proc/self/fd/N} points (a
     * pseudo-terminal or a tty); elsewhere {@link System#console()}, which needs standard input and output to
     * be one.
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
