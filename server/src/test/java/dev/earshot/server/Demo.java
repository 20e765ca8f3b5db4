package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The committed demo recording (16-bit, 16 kHz) and what an in-process spotter hears in it. */
final class Demo {
    static final Path WAV = Path.of("..", "demo", "commands.wav");
    static final Path TRUTH = Path.of("..", "demo", "commands.txt");
    static final int RATE = 16000;

    private Demo() {}

    /** The recording's samples as the WAV holds them. */
    static short[] pcm() throws IOException {
        return shorts(WavReader.read(WAV, RATE).samples());
    }

    /** Float samples back to the 16-bit values they were read from (exact for a 16-bit file), clipped otherwise. */
    static short[] shorts(float[] f) {
        short[] s = new short[f.length];
        for (int i = 0; i < f.length; i++) s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(f[i] * 32768)));
        return s;
    }

    /**
     * What {@code listen --input demo/commands.wav --fast --json} prints, computed as {@code ListenCommand.streamFile}
     * does: the WAV reader's float samples through a spotter at the model's rate in 10 ms chunks.
     */
    static List<Detection> listen(KeywordModel m, DetectionSettings d) throws IOException {
        return heard(m, d, m.sampleRate(), WavReader.read(WAV, m.sampleRate()).samples());
    }

    /** A spotter at {@code rate} fed float {@code pcm} in 10 ms chunks, from time 0. */
    static List<Detection> heard(KeywordModel m, DetectionSettings d, int rate, float[] pcm) {
        List<Detection> out = new ArrayList<>();
        try (Spotter s = new Spotter(m, d, out::add, rate)) {
            int chunk = rate / 100;
            for (int i = 0; i < pcm.length; i += chunk) s.accept(pcm, i, Math.min(chunk, pcm.length - i));
        }
        return out;
    }

    /** A spotter at {@code rate} fed 16-bit {@code pcm} in 10 ms chunks, from time 0. */
    static List<Detection> heard(KeywordModel m, DetectionSettings d, int rate, short[] pcm) {
        List<Detection> out = new ArrayList<>();
        try (Spotter s = new Spotter(m, d, out::add, rate)) {
            int chunk = rate / 100;
            for (int i = 0; i < pcm.length; i += chunk) s.accept(pcm, i, Math.min(chunk, pcm.length - i));
        }
        return out;
    }

    /** Two thirds of the spoken commands heard at their time (within 750 ms), at most one detection more. */
    static void assertHearsTheCommands(List<Detection> heard) throws IOException {
        int commands = 0, correct = 0;
        for (String line : Files.readAllLines(TRUTH)) {
            String[] f = line.split(",");
            if (f.length != 2 || f[0].trim().startsWith("_")) continue;
            commands++;
            String label = f[0].trim();
            long at = Long.parseLong(f[1].trim());
            if (heard.stream().anyMatch(d -> d.label().equals(label) && Math.abs(d.timeMs() - at) <= 750)) correct++;
        }
        assertTrue(commands >= 5, "the demo has commands");
        assertTrue(3 * correct >= 2 * commands, "heard " + correct + " of " + commands + " commands: " + heard);
        assertTrue(heard.size() <= correct + 1, "at most one extra detection: " + heard);
    }
}
