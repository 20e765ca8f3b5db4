package dev.earshot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.earshot.audio.Resampler;
import dev.earshot.server.WyomingEvent.ProtocolException;

/**
 * The PCM format an {@code audio-start} declares, and its conversion to the mono float samples a
 * {@link dev.earshot.api.Spotter} takes. Samples are signed little-endian integers of {@code width} bytes (1, 2 or 4:
 * the widths the Wyoming library converts, which treats 8-bit samples as signed too), interleaved over
 * {@code channels}; a frame's channels are averaged, and a sample of {@code b} bits becomes {@code s / 2^(b-1)}, as
 * {@link dev.earshot.audio.WavReader} scales 16-bit samples.
 *
 * @param rate     samples per second, within the {@link Resampler}'s range
 * @param width    bytes per sample
 * @param channels samples per frame
 */
record WyomingPcm(int rate, int width, int channels) {
    static final int MAX_CHANNELS = 32;

    /** The format in an event's fields, each required. */
    static WyomingPcm of(ObjectNode data, String event) throws ProtocolException {
        WyomingPcm f = new WyomingPcm(field(data, "rate", event), field(data, "width", event), field(data, "channels", event));
        if (f.rate < Resampler.MIN_RATE || f.rate > Resampler.MAX_RATE) {
            throw bad(event + ": rate " + f.rate + " Hz is outside [" + Resampler.MIN_RATE + ", " + Resampler.MAX_RATE + "]");
        }
        if (f.width != 1 && f.width != 2 && f.width != 4) {
            throw bad(event + ": width must be 1, 2 or 4 bytes per sample, not " + f.width);
        }
        if (f.channels < 1 || f.channels > MAX_CHANNELS) {
            throw bad(event + ": channels must be 1 to " + MAX_CHANNELS + ", not " + f.channels);
        }
        return f;
    }

    /**
     * Checks an {@code audio-chunk}'s own format fields, where it gives them, against this stream's: a stream keeps
     * the format its {@code audio-start} declared.
     */
    void checkChunk(ObjectNode data) throws ProtocolException {
        int[] mine = {rate, width, channels};
        String[] names = {"rate", "width", "channels"};
        for (int i = 0; i < names.length; i++) {
            JsonNode n = data.get(names[i]);
            if (n == null || n.isNull()) continue;
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() != mine[i]) {
                throw new ProtocolException("format-changed", "audio-chunk: " + names[i] + " is " + n + " but the "
                        + "stream's audio-start said " + mine[i] + " (a stream keeps one format; send audio-start "
                        + "again for another)", true);
            }
        }
    }

    int frameBytes() {
        return width * channels;
    }

    /**
     * Converts the frames {@code [first, first + count)} of {@code pcm} into {@code out[0, count)}, mono.
     */
    void toMono(byte[] pcm, int first, int count, float[] out) {
        float scale = 1f / (1L << (8 * width - 1));
        int p = first * frameBytes();
        for (int f = 0; f < count; f++) {
            float sum = 0;
            for (int c = 0; c < channels; c++, p += width) {
                int s = switch (width) {
                    case 1 -> pcm[p];
                    case 2 -> (short) ((pcm[p] & 0xff) | (pcm[p + 1] << 8));
                    default -> (pcm[p] & 0xff) | (pcm[p + 1] & 0xff) << 8 | (pcm[p + 2] & 0xff) << 16 | pcm[p + 3] << 24;
                };
                sum += s * scale;
            }
            out[f] = channels == 1 ? sum : sum / channels;
        }
    }

    private static int field(ObjectNode data, String name, String event) throws ProtocolException {
        JsonNode n = data.get(name);
        if (n == null || n.isNull()) throw bad(event + " has no \"" + name + "\"");
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw bad(event + ": \"" + name + "\" must be a whole number, not " + n);
        return n.asInt();
    }

    private static ProtocolException bad(String text) {
        return new ProtocolException("bad-audio-format", text, true);
    }
}
