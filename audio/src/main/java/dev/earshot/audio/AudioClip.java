package dev.earshot.audio;

import java.util.Locale;

/**
 * Decoded audio: mono float samples plus the format they were read from. Immutable by convention: the
 * array from {@link #samples()} is the clip's own (not a copy, so large clips are not duplicated); do not
 * modify it.
 */
public final class AudioClip {
    /** RIFF (little-endian) or RIFX (big-endian) WAV container. */
    public enum Container {
        /** Little-endian ("RIFF" chunk). */
        RIFF,
        /** Big-endian ("RIFX" chunk). */
        RIFX
    }

    private final String source;
    private final Container container;
    private final String codec;
    private final int formatTag;
    private final boolean extensible;
    private final int bitsPerSample;
    private final int channels;
    private final int sourceRate;
    private final long sourceFrames;
    private final boolean truncated;
    private final int sampleRate;
    private final float[] samples;

    AudioClip(String source, Container container, String codec, int formatTag, boolean extensible, int bitsPerSample,
              int channels, int sourceRate, long sourceFrames, boolean truncated, int sampleRate, float[] samples) {
        this.source = source;
        this.container = container;
        this.codec = codec;
        this.formatTag = formatTag;
        this.extensible = extensible;
        this.bitsPerSample = bitsPerSample;
        this.channels = channels;
        this.sourceRate = sourceRate;
        this.sourceFrames = sourceFrames;
        this.truncated = truncated;
        this.sampleRate = sampleRate;
        this.samples = samples;
    }

    /** Name of the file or buffer the clip was read from. */
    public String source() { return source; }
    /** The container the file used. */
    public Container container() { return container; }
    /** Codec as read: {@code "PCM"}, {@code "IEEE float"}, {@code "mu-law"} or {@code "A-law"}. */
    public String codec() { return codec; }
    /** The WAVE format tag (for WAVE_FORMAT_EXTENSIBLE, the sub-format's tag). */
    public int formatTag() { return formatTag; }
    /** Whether the header was WAVE_FORMAT_EXTENSIBLE. */
    public boolean extensible() { return extensible; }
    /** Bits per sample in the file. */
    public int bitsPerSample() { return bitsPerSample; }
    /** Channels in the file (the samples are their mean). */
    public int channels() { return channels; }
    /** Sample rate of the file. */
    public int sourceRate() { return sourceRate; }
    /** Whole frames decoded from the file. */
    public long sourceFrames() { return sourceFrames; }
    /** Whether the data chunk declared more bytes than the file holds (what was there was read). */
    public boolean truncated() { return truncated; }
    /** Rate of {@link #samples()}: the file's, or the rate it was resampled to. */
    public int sampleRate() { return sampleRate; }
    /** Mono samples at {@link #sampleRate()}, integer PCM scaled to [-1, 1). Do not modify. */
    public float[] samples() { return samples; }

    /** Duration of the file's audio in seconds. */
    public double durationSeconds() {
        return sourceFrames / (double) sourceRate;
    }

    /**
     * This clip resampled to {@code rate} (itself if already at that rate).
     *
     * @throws IllegalArgumentException if either rate is outside Resampler's supported range
     */
    public AudioClip resampledTo(int rate) {
        if (rate == sampleRate) return this;
        return new AudioClip(source, container, codec, formatTag, extensible, bitsPerSample, channels, sourceRate,
                sourceFrames, truncated, rate, Resampler.resample(samples, sampleRate, rate));
    }

    /** One line, e.g. {@code "RIFF PCM 16-bit, 1 ch, 16000 Hz, 16000 frames, 1.000 s"}. */
    public String describe() {
        return String.format(Locale.ROOT, "%s%s %s %d-bit, %d ch, %d Hz, %d frames, %.3f s%s", container,
                extensible ? " (extensible)" : "", codec, bitsPerSample, channels, sourceRate, sourceFrames,
                durationSeconds(), truncated ? " (truncated)" : "");
    }

    @Override
    public String toString() {
        return source + ": " + describe();
    }
}
