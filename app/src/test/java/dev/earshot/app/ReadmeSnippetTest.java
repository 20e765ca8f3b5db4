package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.earshot.api.Detection;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.audio.AudioClip;
import dev.earshot.audio.WavReader;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "In a Java app" snippets, read from README.md at test time (never copied here): they compile as
 * printed against the api, and they run. The microphone snippet runs in a child JVM whose HOME holds an
 * {@code .asoundrc} with an ALSA {@code file} PCM, so Java Sound's default TargetDataLine plays the demo recording
 * (as {@link ListenAlsaTest} does for {@code earshot listen}); it must print exactly the detections the spotter
 * makes on that audio. The clip snippet must name the committed Speech Commands clips' words.
 */
class ReadmeSnippetTest {
    static final Path README = Path.of("..", "README.md");
    static final String SECTION = "## In a Java app";
    static final Path SPEECH = Path.of("..", "audio", "src", "test", "resources", "speech");

    /** The fenced {@code java} blocks of the README's "In a Java app" section, by public class name. */
    static Map<String, String> snippets() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int start = lines.indexOf(SECTION);
        assertTrue(start >= 0, README + " has a '" + SECTION + "' heading");
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder block = null;
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (block == null && line.startsWith("## ")) break;        // the next section
            if (block == null) {
                if (line.strip().equals("```java")) block = new StringBuilder();
            } else if (line.strip().equals("```")) {
                Matcher m = Pattern.compile("(?m)^public (?:final )?class (\\w+)").matcher(block);
                assertTrue(m.find(), "a java block in '" + SECTION + "' is a complete public class:\n" + block);
                out.put(m.group(1), block.toString());
                block = null;
            } else {
                block.append(line).append('\n');
            }
        }
        assertTrue(block == null, "an unclosed ```java block in '" + SECTION + "'");
        return out;
    }

    /** Compiles every snippet into {@code dir} against the test class path; fails with the compiler's messages. */
    static Map<String, String> compile(Path dir) throws IOException {
        Map<String, String> snippets = snippets();
        assertEquals(List.of("Listen", "Classify"), List.copyOf(snippets.keySet()),
                "the README shows a microphone class and a clip class");
        Path src = Files.createDirectories(dir.resolve("src")), classes = Files.createDirectories(dir.resolve("classes"));
        List<File> files = new ArrayList<>();
        for (Map.Entry<String, String> e : snippets.entrySet()) {
            Path f = src.resolve(e.getKey() + ".java");
            Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
            files.add(f.toFile());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "a JDK's compiler (not a JRE)");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", System.getProperty("java.class.path"),
                    "-d", classes.toString(), "-proc:none", "-Xlint:all", "-Werror");
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromFiles(files)).call();
            StringBuilder messages = new StringBuilder();
            diagnostics.getDiagnostics().forEach(d -> messages.append(d).append('\n'));
            assertTrue(ok, "the README's snippets compile as printed:\n" + messages);
        }
        for (String name : snippets.keySet()) assertTrue(Files.exists(classes.resolve(name + ".class")), name + ".class");
        return snippets;
    }

    record Run(int exit, String out, String err) {}

    static Run run(Path classes, Path home, String main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (home != null) pb.environment().put("HOME", home.toString());
        Path out = Files.createTempFile(classes, "out", ".txt"), err = Files.createTempFile(classes, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(main + " did not finish in 120 s: " + Files.readString(out) + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void snippetsCompileAsPrinted(@TempDir Path dir) throws IOException {
        compile(dir);
    }

    @Test
    void classifySnippetNamesTheClips(@TempDir Path dir) throws Exception {
        compile(dir);
        Path yes = SPEECH.resolve("yes_03401e93_nohash_0.wav"), stop = SPEECH.resolve("stop_0cb74144_nohash_0.wav");
        Run r = run(dir.resolve("classes"), null, "Classify", yes.toString(), stop.toString());
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].matches(Pattern.quote(yes.toString()) + ": yes \\d\\.\\d{3}"), r.out());
        assertTrue(lines[1].matches(Pattern.quote(stop.toString()) + ": stop \\d\\.\\d{3}"), r.out());
    }

    @Test
    void listenSnippetHearsTheDemoThroughJavaSound(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/share/alsa/alsa.conf")) || Files.exists(Path.of("/etc/alsa")),
                "ALSA's configuration is not installed (libasound2)");
        compile(dir);
        // The demo as headerless signed 16-bit little-endian mono at 16 kHz: the format the snippet opens.
        AudioClip clip = WavReader.read(ListenAlsaTest.DEMO, 16000);
        ByteBuffer b = ByteBuffer.allocate(clip.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : clip.samples()) b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
        byte[] pcm = b.array();
        Path raw = dir.resolve("in.raw");
        Files.write(raw, pcm);
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".asoundrc"), "pcm.!default { type file; slave.pcm \"null\"; file \"/dev/null\"; "
                + "infile \"" + raw.toAbsolutePath() + "\"; format \"raw\" }\n", StandardCharsets.US_ASCII);

        // What the bundled model's spotter hears in those bytes, pushed here directly.
        List<String> expected = new ArrayList<>();
        try (KeywordModel m = KeywordModel.bundled();
             Spotter s = new Spotter(m, m.detectionSettings(), (Detection d) -> expected.add(d.toString()), 16000)) {
            s.acceptBytes(pcm, 0, pcm.length);
        }
        assertTrue(expected.size() >= 5, "the demo holds commands the spotter finds: " + expected);

        // The snippet's main, with the ALSA file PCM as its microphone, for the recording's length.
        Run r = run(dir.resolve("classes"), home, "Listen", String.valueOf(pcm.length / 32000.0));
        assertEquals(0, r.exit(), r.err());
        assertEquals(expected, List.of(r.out().strip().split("\n")), "the snippet prints each detection (stderr: " + r.err() + ")");
    }
}
