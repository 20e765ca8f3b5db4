package dev.earshot.datasets;

import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The long noise recordings of {@code _background_noise_}, decoded once (mono, resampled to the clip rate),
 * from which the {@link Augmenter} cuts segments.
 */
public final class BackgroundNoise {
    private final List<String> names;
    private final List<float[]> recordings;
    private final int segmentSamples;
    private final BackgroundNoise other;  // a second pool (the user's background), drawn half of the time; or null

    private BackgroundNoise(List<String> names, List<float[]> recordings, int segmentSamples, BackgroundNoise other) {
        this.names = Collections.unmodifiableList(names);
        this.recordings = recordings;
        this.segmentSamples = segmentSamples;
        this.other = other;
    }

    /**
     * This noise and {@code more} (e.g. music and ambience a user marks as background): each segment comes from
     * one of the two, each half of the time, so a few long recordings in one do not drown the other.
     */
    public BackgroundNoise with(BackgroundNoise more) {
        if (more.segmentSamples != segmentSamples) {
            throw new IllegalArgumentException("segments of " + more.segmentSamples + " and " + segmentSamples + " samples");
        }
        if (other != null) throw new IllegalStateException("already two pools");
        List<String> all = new ArrayList<>(names);
        all.addAll(more.names);
        return new BackgroundNoise(all, recordings, segmentSamples, more);
    }

    /** The dataset's noise at 16 kHz, cut into 1 s segments. */
    public static BackgroundNoise load(SpeechCommandsDataset dataset) throws IOException {
        return load(dataset.backgroundNoiseFiles(), Augmenter.SAMPLE_RATE, Augmenter.CLIP_SAMPLES);
    }

    /**
     * Reads {@code files} at {@code sampleRate}.
     *
     * @throws IOException naming the file when one cannot be read or is not longer than {@code segmentSamples}
     *                     (TensorFlow refuses such noise too), or when {@code files} is empty
     */
    public static BackgroundNoise load(List<Path> files, int sampleRate, int segmentSamples) throws IOException {
        if (files.isEmpty()) throw new IOException("no background noise files (want " + SpeechCommandsDataset.BACKGROUND_NOISE_DIR + "/*.wav)");
        if (segmentSamples < 1) throw new IllegalArgumentException("segmentSamples must be >= 1: " + segmentSamples);
        List<String> names = new ArrayList<>();
        List<float[]> recs = new ArrayList<>();
        for (Path f : files) {
            float[] pcm = WavReader.read(f, sampleRate).samples();
            if (pcm.length <= segmentSamples) {
                throw new IOException(f + ": background noise is " + pcm.length + " samples at " + sampleRate
                        + " Hz; it must be longer than one clip (" + segmentSamples + " samples)");
            }
            names.add(f.getFileName().toString());
            recs.add(pcm);
        }
        return new BackgroundNoise(names, recs, segmentSamples, null);
    }

    /** Builds noise from arrays already in memory (each longer than {@code segmentSamples}). */
    public static BackgroundNoise of(List<String> names, List<float[]> recordings, int segmentSamples) {
        if (names.size() != recordings.size() || recordings.isEmpty()) {
            throw new IllegalArgumentException("need one name per recording and at least one recording");
        }
        for (int i = 0; i < recordings.size(); i++) {
            if (recordings.get(i).length <= segmentSamples) {
                throw new IllegalArgumentException(names.get(i) + ": noise of " + recordings.get(i).length
                        + " samples is not longer than one clip (" + segmentSamples + ")");
            }
        }
        List<float[]> copy = new ArrayList<>();
        for (float[] r : recordings) copy.add(r.clone());
        return new BackgroundNoise(new ArrayList<>(names), copy, segmentSamples, null);
    }

    /** Background from audio already read (each recording longer than {@code segmentSamples}), named as it is. */
    public static BackgroundNoise of(NegativeAudio audio, int segmentSamples) {
        List<String> names = new ArrayList<>();
        List<float[]> recs = new ArrayList<>();
        for (int i = 0; i < audio.size(); i++) {
            names.add(audio.recordings().get(i).name());
            recs.add(audio.samples(i));
        }
        return of(names, recs, segmentSamples);
    }

    /** Names of the recordings (file names), of both pools. */
    public List<String> names() { return names; }

    /** Samples in one segment. */
    public int segmentSamples() { return segmentSamples; }

    /**
     * A random segment, drawn as TensorFlow's {@code get_data} does: a recording uniformly, then an offset
     * uniformly in {@code [0, length - segment)}; with a second pool ({@link #with}) a fair coin first picks the
     * pool. Returns a new array.
     */
    public float[] segment(SplittableRandom rng) {
        if (other != null && rng.nextBoolean()) return other.segment(rng);
        float[] rec = recordings.get(rng.nextInt(recordings.size()));
        int offset = rng.nextInt(rec.length - segmentSamples);
        float[] out = new float[segmentSamples];
        System.arraycopy(rec, offset, out, 0, segmentSamples);
        return out;
    }
}
