package dev.earshot.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small Speech Commands-shaped trees written into a test's temporary folder. */
final class Fixtures {
    private Fixtures() {
    }

    /** A one-second tone whose frequency encodes {@code id}, so clips differ. */
    static float[] tone(int id, int samples) {
        float[] x = new float[samples];
        double f = 200 + 37 * (id % 50);
        for (int i = 0; i < samples; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * f * i / 16000.0));
        return x;
    }

    static void wav(Path file, float[] samples) throws IOException {
        Pcm16Wav.write(file, samples, 16000);
    }

    /**
     * {@code words} x {@code speakers} x {@code perSpeaker} clips named {@code s<k>spk_nohash_<n>.wav}, plus
     * {@code silence} clips in {@code _silence_/}, and two 3 s noise files when {@code noise}.
     */
    static Path tree(Path root, List<String> words, int speakers, int perSpeaker, int silence, boolean noise) throws IOException {
        int id = 0;
        for (String w : words) {
            for (int s = 0; s < speakers; s++) {
                for (int n = 0; n < perSpeaker; n++) {
                    wav(root.resolve(w).resolve(String.format("%08x", 0x1000 + s * 7919) + "_nohash_" + n + ".wav"), tone(id++, 1600));
                }
            }
        }
        for (int i = 0; i < silence; i++) wav(root.resolve("_silence_").resolve(i + ".wav"), new float[1600]);
        if (noise) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(5);
            for (String name : new String[]{"white_noise.wav", "pink_noise.wav"}) {
                float[] x = new float[48000];
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() - 0.5);
                wav(root.resolve(SpeechCommandsDataset.BACKGROUND_NOISE_DIR).resolve(name), x);
            }
            Files.writeString(root.resolve(SpeechCommandsDataset.BACKGROUND_NOISE_DIR).resolve("README.md"), "noise");
        }
        return root;
    }
}
