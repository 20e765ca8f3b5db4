package dev.earshot.audio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads WAV files: RIFF and RIFX, plain and WAVE_FORMAT_EXTENSIBLE headers; integer PCM of 1–32 bits
 * (8 bits and fewer unsigned), IEEE float 32/64, µ-law and A-law; any channel count (mixed down to the
 * mean); any sample rate (resampled on request). Chunks may come in any order; odd-sized chunks are
 * padded; unknown chunks are skipped.
 *
 * <p>Every problem is a {@link WavFormatException} naming the file: not RIFF/WAVE, a missing {@code fmt }
 * or {@code data} chunk, an unsupported codec (named), zero channels or rate, empty data, non-finite float
 * samples or float samples beyond ±1e6 (120 dB over full scale: corruption, and enough to overflow features). A data chunk that declares more bytes than the file holds is read as far as the file goes and
 * the clip is marked {@linkplain AudioClip#truncated() truncated}. Nothing is allocated from a header's
 * claims: the file is read whole (up to a size limit) and every size is clipped to what is there, so memory
 * is bounded by a small multiple of the file's size.
 *
 * <p>Thread-safe (stateless).
 */
public final class WavReader {
    /** Largest file {@link #read(Path)} accepts unless told otherwise: 256 MiB (over two hours at 16 kHz). */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    /** Largest magnitude accepted in float data (full scale is 1). */
    static final double MAX_FLOAT_SAMPLE = 1e6;

    private static final int WAVE_FORMAT_PCM = 0x0001;
    private static final int WAVE_FORMAT_IEEE_FLOAT = 0x0003;
    private static final int WAVE_FORMAT_ALAW = 0x0006;
    private static final int WAVE_FORMAT_MULAW = 0x0007;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;
    // Bytes 4..15 of every KSDATAFORMAT_SUBTYPE_* GUID for a WAVE tag: {tag-0000-0010-8000-00AA00389B71}.
    private static final byte[] GUID_TAIL = {0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00,
            0x38, (byte) 0x9B, 0x71};

    private WavReader() {
    }

    /** Reads {@code file} as mono at its own sample rate. */
    public static AudioClip read(Path file) throws IOException {
        return decode(readBytes(file, DEFAULT_MAX_BYTES), file.toString());
    }

    /** Reads {@code file} as mono resampled to {@code targetRate}. */
    public static AudioClip read(Path file, int targetRate) throws IOException {
        return decode(readBytes(file, DEFAULT_MAX_BYTES), file.toString(), targetRate);
    }

    /** Reads a file's bytes, refusing (before allocating) files over {@code maxBytes}. */
    public static byte[] readBytes(Path file, long maxBytes) throws IOException {
        String name = file.toString();
        if (!Files.exists(file)) throw new WavFormatException(name, "no such file");
        if (Files.isDirectory(file)) throw new WavFormatException(name, "is a directory");
        // Devices and pipes (/dev/zero, a FIFO) could be endless: only regular files are read.
        if (!Files.isRegularFile(file)) throw new WavFormatException(name, "not a regular file");
        if (!Files.isReadable(file)) throw new WavFormatException(name, "not readable");
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new WavFormatException(name, "file is " + size + " bytes, over the " + maxBytes + "-byte limit");
        }
        long cap = Math.min(maxBytes, Integer.MAX_VALUE - 16);
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) cap + 1); // grows as it reads: never more than is there
        }
        if (bytes.length > cap) throw new WavFormatException(name, "file grew past the " + maxBytes + "-byte limit");
        return bytes;
    }

    /** Decodes WAV bytes (named {@code name} in errors) to mono at the file's rate. */
    public static AudioClip decode(byte[] bytes, String name) throws WavFormatException {
        return new Parser(bytes, name).decode();
    }

    /** Decodes WAV bytes to mono resampled to {@code targetRate}. */
    public static AudioClip decode(byte[] bytes, String name, int targetRate) throws WavFormatException {
        AudioClip clip = decode(bytes, name);
        if (clip.sampleRate() == targetRate) return clip;
        if (clip.sampleRate() < Resampler.MIN_RATE || clip.sampleRate() > Resampler.MAX_RATE) {
            throw new WavFormatException(name, "unsupported sample rate " + clip.sampleRate() + " Hz (resampling needs "
                    + Resampler.MIN_RATE + "–" + Resampler.MAX_RATE + " Hz)");
        }
        return clip.resampledTo(targetRate);
    }

    /** One parse of one byte array; not shared. */
    private static final class Parser {
        private final byte[] b;
        private final String name;
        private boolean bigEndian;

        Parser(byte[] bytes, String name) {
            this.b = bytes;
            this.name = name;
        }

        private WavFormatException fail(String problem) {
            return new WavFormatException(name, problem);
        }

        AudioClip decode() throws WavFormatException {
            int n = b.length;
            if (n == 0) throw fail("empty file");
            if (n < 12) throw fail("not a WAV file: " + n + " bytes, too short for a RIFF header");
            String riff = fourCC(0);
            if (riff.equals("RIFF")) {
                bigEndian = false;
            } else if (riff.equals("RIFX")) {
                bigEndian = true;
            } else if (riff.equals("RF64") || riff.equals("BW64")) {
                throw fail("not supported: " + riff + " (64-bit WAV) container");
            } else {
                throw fail("not a RIFF file (starts with " + printable(riff) + ")");
            }
            String form = fourCC(8);
            if (!form.equals("WAVE")) throw fail("RIFF form type is " + printable(form) + ", not WAVE");

            int fmtPos = -1, fmtSize = 0;
            int dataPos = -1;
            long dataDeclared = 0;
            long pos = 12;
            while (pos + 8 <= n) {
                int p = (int) pos;
                String id = fourCC(p);
                long size = u32(p + 4);
                long body = pos + 8;
                long avail = n - body;
                if (id.equals("fmt ") && fmtPos < 0) {
                    if (size > avail) throw fail("'fmt ' chunk declares " + size + " bytes but only " + avail + " remain");
                    fmtPos = (int) body;
                    fmtSize = (int) size;
                } else if (id.equals("data") && dataPos < 0) {
                    dataPos = (int) body;
                    dataDeclared = size;
                }
                pos = body + size;
                // Chunks are padded to even length; some writers forget the pad byte. Take the pad unless the
                // unpadded position holds a chunk id and the padded one does not.
                if ((size & 1) != 0 && !(looksLikeId(pos) && !looksLikeId(pos + 1))) pos++;
            }
            if (fmtPos < 0) throw fail("no 'fmt ' chunk");
            if (fmtSize < 16) throw fail("'fmt ' chunk is " + fmtSize + " bytes, need at least 16");
            if (dataPos < 0) throw fail("no 'data' chunk");

            // ---- fmt
            int tag = u16(fmtPos);
            int channels = u16(fmtPos + 2);
            long rate = u32(fmtPos + 4);
            int blockAlign = u16(fmtPos + 12);
            int bits = u16(fmtPos + 14);
            boolean extensible = false;
            if (tag == WAVE_FORMAT_EXTENSIBLE) {
                extensible = true;
                if (fmtSize < 40) throw fail("WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is " + fmtSize + " bytes, need 40");
                long sub = u32(fmtPos + 24);
                boolean standard = sub <= 0xFFFF;
                // GUID Data2/Data3 are stored in the file's byte order, Data4 as bytes.
                int d2 = u16(fmtPos + 28), d3 = u16(fmtPos + 30);
                standard &= d2 == 0x0000 && d3 == 0x0010;
                for (int i = 4; i < 12 && standard; i++) standard = b[fmtPos + 24 + 4 + i] == GUID_TAIL[i];
                if (!standard) throw fail("unsupported codec: WAVE_FORMAT_EXTENSIBLE sub-format " + guid(fmtPos + 24));
                tag = (int) sub;
            }
            if (channels == 0) throw fail("zero channels");
            if (rate == 0) throw fail("zero sample rate");
            if (rate > Integer.MAX_VALUE) throw fail("sample rate " + rate + " Hz is out of range");

            String codec;
            int bytesPerSample;
            switch (tag) {
                case WAVE_FORMAT_PCM:
                    if (bits < 1 || bits > 32) throw fail("unsupported PCM bit depth " + bits + " (supported 1–32)");
                    codec = "PCM";
                    bytesPerSample = (bits + 7) / 8;
                    break;
                case WAVE_FORMAT_IEEE_FLOAT:
                    if (bits != 32 && bits != 64) throw fail("unsupported IEEE float bit depth " + bits + " (supported 32, 64)");
                    codec = "IEEE float";
                    bytesPerSample = bits / 8;
                    break;
                case WAVE_FORMAT_ALAW:
                case WAVE_FORMAT_MULAW:
                    if (bits != 8) throw fail("unsupported " + (tag == WAVE_FORMAT_ALAW ? "A-law" : "mu-law") + " bit depth " + bits + " (need 8)");
                    codec = tag == WAVE_FORMAT_ALAW ? "A-law" : "mu-law";
                    bytesPerSample = 1;
                    break;
                default:
                    throw fail("unsupported codec: format tag " + String.format("0x%04X", tag) + codecName(tag));
            }
            int frameBytes = channels * bytesPerSample;
            if (blockAlign != frameBytes) {
                throw fail("block align " + blockAlign + " does not match " + channels + " channel(s) × " + bytesPerSample
                        + " byte(s)");
            }

            // ---- data: never trust the declared size beyond what the file holds
            long avail = n - (long) dataPos;
            boolean truncated = dataDeclared > avail;
            long dataBytes = Math.min(dataDeclared, avail);
            if (dataBytes == 0) throw fail("empty 'data' chunk" + (truncated ? " (file ends at its header)" : ""));
            long frames = dataBytes / frameBytes;
            if (frames == 0) throw fail("'data' chunk holds " + dataBytes + " bytes, less than one " + frameBytes + "-byte frame");

            float[] mono = new float[(int) frames]; // frames <= file length: bounded by the file, not the header
            mixDown(mono, dataPos, (int) frames, channels, tag, bytesPerSample, frameBytes);
            return new AudioClip(name, bigEndian ? AudioClip.Container.RIFX : AudioClip.Container.RIFF, codec, tag,
                    extensible, bits, channels, (int) rate, frames, truncated, (int) rate, mono);
        }

        private void mixDown(float[] out, int pos, int frames, int channels, int tag, int bps, int frameBytes)
                throws WavFormatException {
            final float invCh = 1f / channels;
            if (tag == WAVE_FORMAT_PCM && bps == 2 && channels == 1 && !bigEndian) { // the common case, fast
                for (int f = 0, p = pos; f < frames; f++, p += 2) {
                    out[f] = (short) ((b[p] & 0xFF) | (b[p + 1] << 8)) * (1f / 32768f);
                }
                return;
            }
            for (int f = 0; f < frames; f++) {
                int p = pos + f * frameBytes;
                double acc = 0;
                for (int c = 0; c < channels; c++, p += bps) {
                    double x = sample(p, tag, bps);
                    // Float data far outside [-1, 1] is corrupt, not loud audio: 1e6 is 120 dB over full scale,
                    // and much beyond it the power spectrum overflows float (a NaN feature, a silent wrong answer).
                    if (!(Math.abs(x) <= MAX_FLOAT_SAMPLE)) {
                        throw fail((Double.isFinite(x) ? "float sample " + x + " out of range (|x| > 1e6)" : "non-finite float sample")
                                + " in frame " + f);
                    }
                    acc += x;
                }
                out[f] = channels == 1 ? (float) acc : (float) (acc * invCh);
            }
        }

        private double sample(int p, int tag, int bps) {
            switch (tag) {
                case WAVE_FORMAT_PCM:
                    if (bps == 1) return ((b[p] & 0xFF) - 128) / 128.0; // 8-bit WAV is unsigned
                    // Signed, left-justified in its container: scale by the container's range.
                    long v = 0;
                    for (int i = 0; i < bps; i++) {
                        int byteVal = b[p + (bigEndian ? i : bps - 1 - i)] & 0xFF;
                        v = (v << 8) | byteVal;
                    }
                    int shift = 64 - 8 * bps;
                    v = (v << shift) >> shift; // sign-extend
                    return v / (double) (1L << (8 * bps - 1));
                case WAVE_FORMAT_IEEE_FLOAT:
                    if (bps == 4) return Float.intBitsToFloat((int) u32(p));
                    return Double.longBitsToDouble((u32(bigEndian ? p : p + 4) << 32) | u32(bigEndian ? p + 4 : p));
                case WAVE_FORMAT_MULAW:
                    return G711.ulaw(b[p]) / 32768.0;
                default: // A-law
                    return G711.alaw(b[p]) / 32768.0;
            }
        }

        private boolean looksLikeId(long p) {
            if (p < 0 || p + 8 > b.length) return false;
            for (int i = 0; i < 4; i++) {
                int c = b[(int) p + i] & 0xFF;
                if (c < 0x20 || c > 0x7E) return false;
            }
            return true;
        }

        private String fourCC(int p) {
            return new String(b, p, 4, StandardCharsets.ISO_8859_1);
        }

        private int u16(int p) {
            int x = b[p] & 0xFF, y = b[p + 1] & 0xFF;
            return bigEndian ? (x << 8) | y : (y << 8) | x;
        }

        private long u32(int p) {
            long v = 0;
            for (int i = 0; i < 4; i++) {
                int byteVal = b[p + (bigEndian ? i : 3 - i)] & 0xFF;
                v = (v << 8) | byteVal;
            }
            return v;
        }

        private String guid(int p) {
            StringBuilder sb = new StringBuilder(String.format("{%08X-%04X-%04X-", u32(p), u16(p + 4), u16(p + 6)));
            for (int i = 8; i < 16; i++) {
                if (i == 10) sb.append('-');
                sb.append(String.format("%02X", b[p + i] & 0xFF));
            }
            return sb.append('}').toString();
        }
    }

    private static String printable(String fourCC) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : fourCC.toCharArray()) {
            if (c >= 0x20 && c < 0x7F) sb.append(c);
            else sb.append(String.format("\\x%02X", (int) c));
        }
        return sb.append('\'').toString();
    }

    private static String codecName(int tag) {
        switch (tag) {
            case 0x0000: return " (unknown)";
            case 0x0002: return " (Microsoft ADPCM)";
            case 0x0011: return " (IMA ADPCM)";
            case 0x0031: return " (GSM 6.10)";
            case 0x0050: return " (MPEG)";
            case 0x0055: return " (MPEG Layer 3)";
            case 0x0161: return " (Windows Media Audio)";
            case 0x2000: return " (Dolby AC-3)";
            case 0xF1AC: return " (FLAC)";
            default: return "";
        }
    }

    /** ITU-T G.711 expansion to 16-bit linear, as sox and torchaudio decode it. */
    static final class G711 {
        private G711() {
        }

        static int ulaw(byte code) {
            int u = ~code & 0xFF;
            int exp = (u >> 4) & 0x07;
            int mant = u & 0x0F;
            int mag = (((mant << 3) + 0x84) << exp) - 0x84;
            return (u & 0x80) != 0 ? -mag : mag;
        }

        static int alaw(byte code) {
            int a = (code ^ 0x55) & 0xFF;
            int exp = (a >> 4) & 0x07;
            int mant = a & 0x0F;
            int mag = exp == 0 ? (mant << 4) + 8 : ((mant << 4) + 0x108) << (exp - 1);
            return (a & 0x80) != 0 ? mag : -mag;
        }
    }
}
