package dev.earshot.audio;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds WAV files byte by byte for tests: any container, tag, depth, channel count and chunk layout. */
final class TestWav {
    boolean bigEndian;
    int tag = 1;
    int channels = 1;
    int rate = 16000;
    int bits = 16;
    boolean extensible;
    Integer blockAlignOverride;
    final List<byte[]> before = new ArrayList<>(); // extra chunks before fmt
    final List<byte[]> between = new ArrayList<>(); // between fmt and data
    final List<byte[]> after = new ArrayList<>();
    boolean dataFirst; // data chunk before fmt
    Long dataSizeOverride;

    TestWav big() { bigEndian = true; return this; }
    TestWav fmt(int tag, int bits, int channels, int rate) { this.tag = tag; this.bits = bits; this.channels = channels; this.rate = rate; return this; }
    TestWav extensible() { extensible = true; return this; }

    byte[] chunk(String id, byte[] body) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(id.getBytes(StandardCharsets.ISO_8859_1));
        o.writeBytes(u32(body.length));
        o.writeBytes(body);
        if ((body.length & 1) != 0) o.write(0);
        return o.toByteArray();
    }

    byte[] u16(int v) {
        return bigEndian ? new byte[]{(byte) (v >> 8), (byte) v} : new byte[]{(byte) v, (byte) (v >> 8)};
    }

    byte[] u32(long v) {
        return bigEndian ? new byte[]{(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v}
                : new byte[]{(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    int bytesPerSample() {
        return (bits + 7) / 8;
    }

    byte[] fmtBody() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int block = blockAlignOverride != null ? blockAlignOverride : channels * bytesPerSample();
        o.writeBytes(u16(extensible ? 0xFFFE : tag));
        o.writeBytes(u16(channels));
        o.writeBytes(u32(rate));
        o.writeBytes(u32((long) rate * block));
        o.writeBytes(u16(block));
        o.writeBytes(u16(extensible ? bytesPerSample() * 8 : bits));
        if (extensible) {
            o.writeBytes(u16(22));
            o.writeBytes(u16(bits)); // valid bits
            o.writeBytes(u32(0)); // channel mask
            o.writeBytes(u32(tag)); // GUID Data1
            o.writeBytes(u16(0));
            o.writeBytes(u16(0x10));
            o.writeBytes(new byte[]{(byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        return o.toByteArray();
    }

    /** Encodes samples[frame][channel] (in [-1, 1]) in this format; returns the file. */
    byte[] build(double[][] samples) {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        for (double[] frame : samples) for (double x : frame) d.writeBytes(encode(x));
        return assemble(d.toByteArray());
    }

    byte[] assemble(byte[] data) {
        byte[] dataChunk = chunk("data", data);
        if (dataSizeOverride != null) {
            byte[] sz = u32(dataSizeOverride);
            System.arraycopy(sz, 0, dataChunk, 4, 4);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes(StandardCharsets.ISO_8859_1));
        before.forEach(body::writeBytes);
        if (dataFirst) body.writeBytes(dataChunk);
        body.writeBytes(chunk("fmt ", fmtBody()));
        between.forEach(body::writeBytes);
        if (!dataFirst) body.writeBytes(dataChunk);
        after.forEach(body::writeBytes);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes((bigEndian ? "RIFX" : "RIFF").getBytes(StandardCharsets.ISO_8859_1));
        o.writeBytes(u32(b.length));
        o.writeBytes(b);
        return o.toByteArray();
    }

    byte[] encode(double x) {
        int n = bytesPerSample();
        switch (tag) {
            case 3: {
                if (bits == 32) return u32(Float.floatToIntBits((float) x) & 0xFFFFFFFFL);
                long v = Double.doubleToLongBits(x);
                byte[] hi = u32(v >>> 32), lo = u32(v & 0xFFFFFFFFL);
                byte[] r = new byte[8];
                System.arraycopy(bigEndian ? hi : lo, 0, r, 0, 4);
                System.arraycopy(bigEndian ? lo : hi, 0, r, 4, 4);
                return r;
            }
            case 6: return new byte[]{linearToAlaw((int) Math.round(x * 32767))};
            case 7: return new byte[]{linearToUlaw((int) Math.round(x * 32767))};
            default: {
                if (n == 1) return new byte[]{(byte) (Math.max(0, Math.min(255, Math.round(x * 128) + 128)))};
                long full = 1L << (8 * n - 1);
                long v = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
                // keep only the top `bits` bits of the container, as a writer of e.g. 12-in-16 does
                int unused = 8 * n - bits;
                v = (v >> unused) << unused;
                byte[] r = new byte[n];
                for (int i = 0; i < n; i++) {
                    byte bt = (byte) (v >> (8 * i));
                    r[bigEndian ? n - 1 - i : i] = bt;
                }
                return r;
            }
        }
    }

    // Reference G.711 encoders (Sun's g711.c), used only to make test data.
    static byte linearToUlaw(int pcm) {
        final int BIAS = 0x84, CLIP = 32635;
        int sign = (pcm >> 8) & 0x80;
        if (sign != 0) pcm = -pcm;
        if (pcm > CLIP) pcm = CLIP;
        pcm += BIAS;
        int exp = 7;
        for (int mask = 0x4000; (pcm & mask) == 0 && exp > 0; exp--, mask >>= 1) { }
        int mant = (pcm >> (exp + 3)) & 0x0F;
        return (byte) ~(sign | (exp << 4) | mant);
    }

    static byte linearToAlaw(int pcm) {
        int sign = (pcm & 0x8000) != 0 || pcm < 0 ? 0 : 0x80;
        if (pcm < 0) pcm = -pcm - 1;
        if (pcm > 32767) pcm = 32767;
        int exp;
        int val;
        if (pcm >= 256) {
            exp = 7;
            for (int mask = 0x4000; (pcm & mask) == 0 && exp > 1; exp--, mask >>= 1) { }
            val = (exp << 4) | ((pcm >> (exp + 3)) & 0x0F);
        } else {
            val = pcm >> 4;
        }
        return (byte) ((val | sign) ^ 0x55);
    }
}
