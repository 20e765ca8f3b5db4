package dev.earshot.app;

import dev.earshot.audio.StreamingResampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.TargetDataLine;

/**
 * A Java Sound capture line opened at the model's rate in mono 16-bit if the device allows, else at a common
 * device rate, mono or stereo; {@link #read} hands out mono samples at the model's rate (channels averaged,
 * resampled with {@link StreamingResampler}).
 */
final class Microphone implements AutoCloseable {
    private final TargetDataLine line;
    private final AudioFormat format;
    private final String device;
    private final StreamingResampler resampler;
    private final byte[] buf;
    private final float[] mono;
    private float[] pending = new float[0];
    private int pendingFrom, pendingTo;

    private Microphone(TargetDataLine line, AudioFormat format, String device, int rate) {
        this.line = line;
        this.format = format;
        this.device = device;
        int deviceRate = (int) format.getSampleRate();
        this.buf = new byte[deviceRate / 100 * format.getFrameSize()];  // 10 ms
        this.mono = new float[deviceRate / 100];
        this.resampler = deviceRate == rate ? null : new StreamingResampler(deviceRate, rate, this::queue);
    }

    /** Formats to try, best first: the model's rate in mono, then common device rates, mono or stereo. */
    static List<AudioFormat> candidates(int modelRate) {
        List<AudioFormat> f = new ArrayList<>();
        f.add(new AudioFormat(modelRate, 16, 1, true, false));
        for (int rate : new int[] {48000, 44100, 32000, 22050, 16000, 8000}) {
            for (int ch : new int[] {1, 2}) f.add(new AudioFormat(rate, 16, ch, true, false));
        }
        return f;
    }

    /**
     * Opens the default capture device, or the one named (exactly, or the first whose name contains it), for
     * samples at {@code rate}, and starts it. The failure ({@link IllegalStateException}) names the device and why;
     * the caller adds what to try instead.
     */
    static Microphone open(String device, int rate) {
        Exception last = null;
        try {
            Mixer.Info mixer = device == null ? null : findDevice(device);
            for (AudioFormat f : candidates(rate)) {
                DataLine.Info info = new DataLine.Info(TargetDataLine.class, f);
                try {
                    TargetDataLine l = mixer == null ? (TargetDataLine) AudioSystem.getLine(info)
                            : (TargetDataLine) AudioSystem.getMixer(mixer).getLine(info);
                    l.open(f, (int) f.getSampleRate() / 10 * f.getFrameSize());
                    l.start();
                    return new Microphone(l, f, device, rate);
                } catch (IllegalArgumentException | LineUnavailableException e) {
                    if (last == null) last = e;  // the model's own format's refusal says the most
                }
            }
        } catch (IllegalArgumentException | SecurityException e) {
            last = e;
        }
        throw new IllegalStateException("no microphone to capture from" + (device == null ? "" : " on '" + device + "'")
                + " (" + (last == null ? "no capture line" : last.getMessage()) + ")");
    }

    /** What a read never writes: a capture line's bytes left as this pattern were not delivered. */
    private static final byte[] UNWRITTEN = {0x5A, (byte) 0xA5, 0x3C, (byte) 0xC3};

    /**
     * Reads up to {@code want} bytes and returns how many the line delivered, in whole frames: fewer than asked
     * when the input has ended. A line that is stopped or closed returns fewer bytes; one whose source has run dry
     * may instead return the full count without writing them (Java Sound on ALSA's {@code file} PCM does so once its
     * file ends: the read then succeeds with the buffer left as it was), which the pattern written first shows.
     */
    static int delivered(TargetDataLine line, byte[] buf, int want, int frameSize) {
        for (int i = 0; i < want; i++) buf[i] = UNWRITTEN[i % UNWRITTEN.length];
        int n = Math.max(0, line.read(buf, 0, want));
        int untouched = 0;
        while (untouched < n && buf[n - 1 - untouched] == UNWRITTEN[(n - 1 - untouched) % UNWRITTEN.length]) untouched++;
        // a few bytes of real audio may match the pattern by chance; 16 in a row (8 samples) do not
        if (untouched >= Math.min(n, 16)) n -= untouched;
        return n - n % frameSize;
    }

    static List<Mixer.Info> captureDevices() {
        DataLine.Info want = new DataLine.Info(TargetDataLine.class, null);
        return java.util.Arrays.stream(AudioSystem.getMixerInfo())
                .filter(i -> AudioSystem.getMixer(i).isLineSupported(want)).toList();
    }

    static Mixer.Info findDevice(String name) {
        List<Mixer.Info> all = captureDevices();
        for (Mixer.Info i : all) if (i.getName().equals(name)) return i;
        for (Mixer.Info i : all) if (i.getName().toLowerCase(Locale.ROOT).contains(name.toLowerCase(Locale.ROOT))) return i;
        throw new IllegalArgumentException("no capture device named '" + name + "'");
    }

    /** What was opened, for the user: device, rate, channels. */
    String description() {
        return String.format(Locale.ROOT, "%s at %d Hz, %d channel(s)", device == null ? "the default device" : device,
                (int) format.getSampleRate(), format.getChannels());
    }

    /**
     * Fills {@code out[0, n)} with the next mono samples at the model's rate; fewer only when the device stops
     * delivering (the returned count).
     */
    int read(float[] out, int n) {
        int got = 0;
        while (got < n) {
            if (pendingFrom < pendingTo) {
                int k = Math.min(n - got, pendingTo - pendingFrom);
                System.arraycopy(pending, pendingFrom, out, got, k);
                pendingFrom += k;
                got += k;
                continue;
            }
            int bytes = delivered(line, buf, buf.length, format.getFrameSize());
            if (bytes <= 0) break;
            int frames = bytes / format.getFrameSize(), channels = format.getChannels();
            for (int i = 0; i < frames; i++) {  // little-endian 16-bit; channels averaged to mono
                int sum = 0;
                for (int c = 0; c < channels; c++) {
                    int o = (i * channels + c) * 2;
                    sum += (short) ((buf[o] & 0xff) | (buf[o + 1] << 8));
                }
                mono[i] = (short) (sum / channels) / 32768f;  // as a 16-bit mono device would give it
            }
            pendingFrom = pendingTo = 0;
            if (resampler == null) queue(mono, 0, frames);
            else resampler.push(mono, 0, frames);
        }
        return got;
    }

    private void queue(float[] s, int off, int len) {
        if (pending.length < pendingTo + len) pending = java.util.Arrays.copyOf(pending, pendingTo + len);
        System.arraycopy(s, off, pending, pendingTo, len);
        pendingTo += len;
    }

    @Override
    public void close() {
        line.stop();
        line.close();
    }
}
