package dev.earshot.training;

import java.nio.file.Path;

/**
 * One labelled clip in memory: 16-bit PCM at the model's rate, cut or padded to the clip length, its label
 * index, where it came from ({@code word/file.wav} in the dataset, and the file) and who spoke it.
 *
 * <p>16-bit because that is what Speech Commands holds (so nothing is lost) and it halves the memory: the
 * full dataset's 105,000 one-second clips take 3.4 GB instead of 6.7 GB.
 *
 * <p>{@code pcm16} is null for a clip another replica of a data-parallel run holds ({@link DataLoader#load} with a
 * shard): its label and name are known here, its audio is not. It is null too for a clip known by its MFCC frames
 * only ({@code frames}: clean and unnormalized, frames × coefficients row-major, as a featurized table holds them),
 * which trains without audio augmentation.
 */
public record Example(String path, Path file, String speaker, int label, short[] pcm16, float[] frames) {
    /** A clip of audio. */
    public Example(String path, Path file, String speaker, int label, short[] pcm16) {
        this(path, file, speaker, label, pcm16, null);
    }

    /** False for a clip whose audio (or frames) another replica holds. */
    public boolean held() {
        return pcm16 != null || frames != null;
    }

    /** True for a clip known by its frames alone. */
    public boolean framesOnly() {
        return pcm16 == null && frames != null;
    }

    /** The samples as floats in [-1, 1), as the WAV reader scales them. */
    public float[] pcm() {
        if (pcm16 == null) {
            throw new IllegalStateException(path + ": " + (frames != null ? "known by its MFCC frames only, not its audio"
                    : "its audio is another replica's"));
        }
        float[] f = new float[pcm16.length];
        for (int i = 0; i < f.length; i++) f[i] = pcm16[i] / 32768f;
        return f;
    }

    /** Quantizes float samples to 16 bits (exact for audio that came from 16-bit files). */
    public static short[] quantize(float[] pcm, int length) {
        short[] s = new short[length];
        for (int i = 0; i < Math.min(length, pcm.length); i++) {
            s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(pcm[i] * 32768f)));
        }
        return s;
    }
}
