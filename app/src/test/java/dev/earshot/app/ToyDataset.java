package dev.earshot.app;

import dev.earshot.datasets.Pcm16Wav;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small Speech Commands-shaped folder of synthetic "words" that a GRU can tell apart: "yes" a rising
 * chirp, "no" a falling one, "up" (an unknown word here) a two-tone burst; each clip at a random time,
 * loudness and pitch offset, from one of several "speakers"; plus background noise.
 */
final class ToyDataset {
    private ToyDataset() {}

    static Path write(Path dir, int speakers, int perSpeaker, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] words = {"yes", "no", "up"};
        for (String w : words) {
            for (int s = 0; s < speakers; s++) {
                String speaker = String.format("%08x", 0x1000 + s * 7919);
                for (int n = 0; n < perSpeaker; n++) {
                    Pcm16Wav.write(dir.resolve(w).resolve(speaker + "_nohash_" + n + ".wav"), word(w, rng), 16000);
                }
            }
        }
        for (int k = 0; k < 2; k++) {
            float[] noise = new float[16000 * 3];
            for (int i = 0; i < noise.length; i++) noise[i] = (float) (rng.nextGaussian() * 0.1);
            Pcm16Wav.write(dir.resolve("_background_noise_").resolve("noise" + k + ".wav"), noise, 16000);
        }
        return dir;
    }

    static float[] word(String w, SplittableRandom rng) {
        float[] pcm = new float[16000];
        int len = 4000 + rng.nextInt(3000), start = rng.nextInt(16000 - len);
        double amp = 0.2 + 0.5 * rng.nextDouble(), base = 300 + 200 * rng.nextDouble(), phase = 0;
        for (int i = 0; i < len; i++) {
            double t = i / (double) len;
            double f = switch (w) {
                case "yes" -> base + 1500 * t;
                case "no" -> base + 1500 * (1 - t);
                default -> (i / 800) % 2 == 0 ? base : base + 900;
            };
            phase += 2 * Math.PI * f / 16000;
            pcm[start + i] = (float) (amp * Math.sin(phase) * Math.sin(Math.PI * t));
        }
        for (int i = 0; i < pcm.length; i++) pcm[i] += (float) (rng.nextGaussian() * 0.005);
        return pcm;
    }
}
