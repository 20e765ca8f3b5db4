package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.earshot.audio.AudioClip;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code earshot listen} through the real capture path with no sound card: an ALSA {@code file} PCM, set up in
 * an {@code .asoundrc} under a temporary HOME, feeds the demo recording to Java Sound's TargetDataLine, and the
 * bundled model must report the commands spoken in it.
 */
class ListenAlsaTest {
    static final Path DEMO = Path.of("..", "demo", "commands.wav");
    static final Path TRUTH = Path.of("..", "demo", "commands.txt");

    @Test
    void listenHearsTheDemoThroughJavaSound(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/share/alsa/alsa.conf")) || Files.exists(Path.of("/etc/alsa")),
                "ALSA's configuration is not installed (libasound2)");
        AudioClip clip = WavReader.read(DEMO, 16000);
        Path raw = dir.resolve("in.raw");
        ByteBuffer b = ByteBuffer.allocate(clip.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : clip.samples()) b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
        Files.write(raw, b.array());
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".asoundrc"), "pcm.!default { type file; slave.pcm \"null\"; file \"/dev/null\"; "
                + "infile \"" + raw.toAbsolutePath() + "\"; format \"raw\" }\n", StandardCharsets.US_ASCII);
        double seconds = clip.durationSeconds();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "listen", "--json", "--seconds",
                String.format(java.util.Locale.ROOT, "%.2f", seconds));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "listen finished");
        assertEquals(0, p.exitValue(), Files.readString(err));

        List<EvalStreamCommand.Truth> truth = EvalStreamCommand.readTruth(TRUTH);
        List<String[]> found = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            // {"label":"yes","confidence":0.93,"time_ms":1234}
            String label = line.replaceAll(".*\"label\":\"([^\"]*)\".*", "$1");
            String time = line.replaceAll(".*\"time_ms\":(\\d+).*", "$1");
            found.add(new String[] {label, time});
        }
        int correct = 0, commands = 0;
        for (EvalStreamCommand.Truth t : truth) {
            if (t.label().startsWith("_")) continue;
            commands++;
            for (String[] f : found) {
                if (f[0].equals(t.label()) && Math.abs(Long.parseLong(f[1]) - t.timeMs()) <= 750) {
                    correct++;
                    break;
                }
            }
        }
        assertTrue(commands >= 5, "the demo has commands");
        assertTrue(correct >= commands - 1, "heard " + correct + " of " + commands + " commands: " + Files.readString(out));
        assertTrue(found.size() <= correct + 1, "at most one extra detection: " + Files.readString(out));
    }

    static void requireDemo() throws IOException {
        assertTrue(Files.exists(DEMO), DEMO + " is part of the repository");
    }
}
