package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.earshot.api.KeywordModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen}'s live panel and {@code train}'s progress bar on a real terminal: each command runs in its own JVM
 * on a pseudo-terminal made by util-linux's {@code script}, so {@code System.console()} is there as for a user.
 * Cursor movement (ANSI escapes, carriage returns) goes only to a terminal that can take it, and the panel is
 * cleared at the end, also when the user presses Ctrl-C.
 */
class TerminalTest {
    static final Path DEMO = Path.of("..", "demo", "commands.wav");
    static final String ESC = "\033";
    /** The panel's erase: up over its lines (one per keyword, one for the time), then clear to the screen's end. */
    static final Pattern PANEL_TIME = Pattern.compile("listening… (\\d+\\.\\d) s");
    static final Pattern CLEAR = Pattern.compile("\033\\[(\\d+)A\033\\[J");

    @TempDir
    Path dir;

    @Test
    void listenDrawsAndClearsThePanelOnATerminal() throws Exception {
        Pty r = pty(Map.of("TERM", "xterm"), "", "listen", "--input", DEMO.toString(), "--seconds", "1.2");
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("listening… "), "the panel is drawn: " + r.out);
        assertClearedAfterTheLastPanel(r.out);
    }

    /** TERM=dumb, NO_COLOR, or standard output into a file: detection lines only, no escape codes. */
    @Test
    void listenWritesNoEscapeCodesWhereTheyCannotWork() throws Exception {
        for (Map<String, String> env : List.of(Map.of("TERM", "dumb"), Map.of("TERM", "xterm", "NO_COLOR", "1"))) {
            Pty r = pty(env, "", "listen", "--input", DEMO.toString(), "--seconds", "1.2");
            assertEquals(0, r.exit, env + ": " + r.out);
            assertFalse(r.out.contains(ESC), env + ": escape codes: " + r.out.replace(ESC, "ESC"));
            assertFalse(r.out.contains("listening… "), env + ": no panel: " + r.out);
        }
        Path out = dir.resolve("listen.out");
        Pty r = pty(Map.of("TERM", "xterm"), " > '" + out + "'", "listen", "--input", DEMO.toString(), "--fast");
        assertEquals(0, r.exit, r.out);
        String text = Files.readString(out);
        assertFalse(text.contains(ESC), "escape codes in the file: " + text.replace(ESC, "ESC"));
        assertTrue(text.contains(" s  "), "the detections are there: " + text);
    }

    /** Ctrl-C (the terminal's interrupt character, as a user types it) ends listen with the panel cleared. */
    @Test
    void ctrlCClearsThePanel() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux's script is not installed");
        Path out = dir.resolve("typescript.out");
        Process p = start(Map.of("TERM", "xterm"), "", out, "listen", "--input", DEMO.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String seen = "";
        while (System.nanoTime() < deadline && !(seen = read(out)).contains("listening… 1.")) Thread.sleep(50);
        assertTrue(seen.contains("listening… 1."), "the panel ran for a second: " + seen);
        try (OutputStream keys = p.getOutputStream()) {
            keys.write(3);  // ^C
            keys.flush();
            boolean stopped = p.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) kill(p);
            assertTrue(stopped, "listen stopped on Ctrl-C");
        }
        String text = read(out);
        // the demo lasts 21 s: stopping within a few seconds of the key is Ctrl-C's doing, with room for a busy machine
        double sent = lastPanelSeconds(seen), stoppedAt = lastPanelSeconds(text);
        assertTrue(stoppedAt <= sent + 3.0, "stopped at once: ^C at " + sent + " s, last panel at " + stoppedAt + " s");
        assertClearedAfterTheLastPanel(text);
    }

    /** train's progress bar (carriage returns) only on a terminal: not into a log file, even from a terminal. */
    @Test
    void trainProgressGoesToATerminalOnly() throws Exception {
        Path data = ToyDataset.write(dir.resolve("toy"), 4, 2, 7);
        Path log = dir.resolve("train.log");
        Pty r = pty(Map.of("TERM", "xterm"), " 2> '" + log + "'", "train", "--data", data.toString(),
                "--labels", "yes,no", "--split", "speakers", "--validation-percent", "25", "--hidden", "8", "--epochs",
                "2", "--batch", "8", "--seed", "3", "--out", dir.resolve("m.earshot").toString());
        String text = Files.readString(log);
        assertEquals(0, r.exit, r.out + text);
        assertTrue(text.contains("epoch 2/2 loss"), text);
        assertFalse(text.contains("\r") || text.contains(ESC), "the log has no progress bar: "
                + text.replace("\r", "\\r").replace(ESC, "ESC"));
        // on the terminal itself, the bar is drawn (and each epoch's line overwrites it)
        Pty live = pty(Map.of("TERM", "xterm"), "", "train", "--data", data.toString(), "--labels", "yes,no", "--split",
                "speakers", "--validation-percent", "25", "--hidden", "8", "--epochs", "2", "--batch", "8", "--seed", "3",
                "--out", dir.resolve("m2.earshot").toString());
        assertEquals(0, live.exit, live.out);
        assertTrue(live.out.contains("\repoch 1/2 ["), live.out);
    }

    /** After the last panel drawn, the whole panel (a line per keyword of the default model, then the time's) is erased. */
    /** The time on the last panel drawn ("listening… 1.3 s"). */
    static double lastPanelSeconds(String out) {
        Matcher m = PANEL_TIME.matcher(out);
        double t = -1;
        while (m.find()) t = Double.parseDouble(m.group(1));
        assertTrue(t >= 0, "a panel was drawn: " + out);
        return t;
    }

    static void assertClearedAfterTheLastPanel(String out) throws IOException {
        int last = out.lastIndexOf("listening… ");
        assertTrue(last >= 0, out);
        int lines = 1;
        try (KeywordModel m = KeywordModel.open("default")) {
            for (int k = 0; k < m.labels().size(); k++) if (m.isKeyword(k)) lines++;
        }
        Matcher m = CLEAR.matcher(out);
        assertTrue(m.find(last), "the last panel is cleared: " + out.substring(last).replace(ESC, "ESC"));
        assertEquals(lines, Integer.parseInt(m.group(1)), "the clear goes up over the whole panel");
    }

    record Pty(int exit, String out) {}

    Pty pty(Map<String, String> env, String redirect, String... args) throws Exception {
        return pty(dir, env, redirect, args);
    }

    /** Runs {@code earshot ARGS} on a pseudo-terminal, its shell redirections {@code redirect} after it. */
    static Pty pty(Path dir, Map<String, String> env, String redirect, String... args) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux's script is not installed");
        Path out = dir.resolve("typescript-" + System.nanoTime() + ".out");
        Process p = start(env, redirect, out, args);
        p.getOutputStream().close();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) kill(p);
        assertTrue(finished, "finished: " + read(out));
        return new Pty(p.exitValue(), read(out).replace("\r\n", "\n"));
    }

    private static Process start(Map<String, String> env, String redirect, Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        StringBuilder sh = new StringBuilder("exec");
        for (String c : cmd) sh.append(" '").append(c.replace("'", "'\\''")).append('\'');
        sh.append(redirect);
        // -q: no "Script started" lines, -f: flush at once, -e: its exit status is the command's
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-qfec", sh.toString(), "/dev/null");
        pb.environment().remove("NO_COLOR");
        pb.environment().putAll(env);
        return pb.redirectOutput(out.toFile()).redirectErrorStream(true).start();
    }

    /** A command that hangs: it (the JVM under script) and script itself. */
    private static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }
}
