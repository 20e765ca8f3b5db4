package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavReaderTest {
    /** sox-written files decode to what torchaudio.load gives (mean over channels). */
    @Test
    void soxFormatsMatchTorchaudio() throws IOException {
        String[][] cases = { // file, container, codec, bits, channels, rate, extensible
                {"pcm_u8", "RIFF", "PCM", "8", "1", "16000", "false"},
                {"pcm_s16", "RIFF", "PCM", "16", "1", "16000", "false"},
                {"pcm_s24_extensible", "RIFF", "PCM", "24", "1", "16000", "true"},
                {"pcm_s32_extensible", "RIFF", "PCM", "32", "1", "16000", "true"},
                {"float32", "RIFF", "IEEE float", "32", "1", "16000", "false"},
                {"float64", "RIFF", "IEEE float", "64", "1", "16000", "false"},
                {"ulaw", "RIFF", "mu-law", "8", "1", "16000", "false"},
                {"alaw", "RIFF", "A-law", "8", "1", "16000", "false"},
                {"stereo_s16", "RIFF", "PCM", "16", "2", "16000", "false"},
                {"three_channels_extensible", "RIFF", "PCM", "16", "3", "16000", "true"},
                {"rifx_s16", "RIFX", "PCM", "16", "1", "16000", "false"},
                {"rate_44100", "RIFF", "PCM", "16", "1", "44100", "false"},
                {"rate_8000", "RIFF", "PCM", "16", "1", "8000", "false"},
        };
        for (String[] c : cases) {
            AudioClip clip = WavReader.decode(Fixtures.bytes("formats/" + c[0] + ".wav"), c[0] + ".wav");
            assertEquals(c[1], clip.container().name(), c[0]);
            assertEquals(c[2], clip.codec(), c[0]);
            assertEquals(Integer.parseInt(c[3]), clip.bitsPerSample(), c[0]);
            assertEquals(Integer.parseInt(c[4]), clip.channels(), c[0]);
            assertEquals(Integer.parseInt(c[5]), clip.sourceRate(), c[0]);
            assertEquals(Boolean.parseBoolean(c[6]), clip.extensible(), c[0]);
            assertFalse(clip.truncated());
            float[] want = Fixtures.golden("decode_" + c[0])[0];
            float[] got = clip.samples();
            assertEquals(want.length, got.length, c[0]);
            for (int i = 0; i < want.length; i++) {
                // Same arithmetic up to float rounding of the channel mean.
                assertEquals(want[i], got[i], 1e-6, c[0] + " sample " + i);
            }
        }
    }

    static double[][] signal(int frames, int channels) {
        double[][] s = new double[frames][channels];
        for (int f = 0; f < frames; f++) {
            for (int c = 0; c < channels; c++) s[f][c] = 0.8 * Math.sin(2 * Math.PI * (f * (c + 1) * 0.013 + 0.1 * c));
        }
        return s;
    }

    static double tolerance(int tag, int bits, double x) {
        switch (tag) {
            case 3: return bits == 32 ? 1e-7 : 1e-7; // float32 result either way
            case 6: case 7: return Math.abs(x) / 16 + 2.0 / 32768 * 16; // G.711: 4 mantissa bits
            default: return Math.pow(2, -(bits - 1)) + 1e-7;
        }
    }

    /** Every codec/depth × channel count × container × plain/extensible header, made here byte by byte. */
    @Test
    void syntheticFormatMatrix() throws IOException {
        int[][] codecs = {{1, 8}, {1, 12}, {1, 16}, {1, 20}, {1, 24}, {1, 32}, {3, 32}, {3, 64}, {6, 8}, {7, 8}};
        int count = 0;
        for (boolean big : new boolean[]{false, true}) {
            for (boolean ext : new boolean[]{false, true}) {
                for (int[] tb : codecs) {
                    for (int ch : new int[]{1, 2, 5}) {
                        TestWav w = new TestWav().fmt(tb[0], tb[1], ch, 22050);
                        w.bigEndian = big;
                        w.extensible = ext;
                        double[][] s = signal(300, ch);
                        String name = (big ? "RIFX" : "RIFF") + (ext ? "-ext" : "") + "-tag" + tb[0] + "-" + tb[1] + "bit-" + ch + "ch";
                        AudioClip clip = WavReader.decode(w.build(s), name);
                        assertEquals(300, clip.samples().length, name);
                        assertEquals(ch, clip.channels(), name);
                        assertEquals(22050, clip.sourceRate(), name);
                        assertEquals(ext, clip.extensible(), name);
                        assertEquals(tb[0], clip.formatTag(), name);
                        for (int f = 0; f < 300; f++) {
                            double mean = Arrays.stream(s[f]).average().orElseThrow();
                            double peak = Arrays.stream(s[f]).map(Math::abs).max().orElseThrow();
                            assertEquals(mean, clip.samples()[f], tolerance(tb[0], tb[1], peak), name + " frame " + f);
                        }
                        count++;
                    }
                }
            }
        }
        assertEquals(120, count);
    }

    @Test
    void chunksInAnyOrderOddSizesPaddedUnknownSkipped() throws IOException {
        double[][] s = signal(101, 1);
        float[] plain = WavReader.decode(new TestWav().build(s), "plain").samples();
        TestWav w = new TestWav();
        w.before.add(w.chunk("JUNK", new byte[7])); // odd: padded
        w.between.add(w.chunk("LIST", "INFOISFT\u0003\0\0\0ab\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        w.between.add(w.chunk("fact", new byte[]{1, 0, 0, 0}));
        w.after.add(w.chunk("id3 ", new byte[3]));
        w.dataFirst = true;
        byte[] odd = w.build(signal(101, 1)); // 101 16-bit samples: even; make an odd 8-bit data chunk too
        assertTrue(Arrays.equals(plain, WavReader.decode(odd, "odd").samples()));
        TestWav w8 = new TestWav().fmt(1, 8, 1, 16000);
        w8.before.add(w8.chunk("bext", new byte[1]));
        w8.after.add(w8.chunk("cue ", new byte[5]));
        AudioClip c8 = WavReader.decode(w8.build(signal(101, 1)), "u8-odd-data"); // 101-byte data chunk + pad
        assertEquals(101, c8.samples().length);
        // an odd chunk whose writer forgot the pad byte is still walked correctly
        TestWav noPad = new TestWav();
        byte[] list = noPad.chunk("LIST", new byte[5]); // 8 + 5 + pad
        noPad.before.add(java.util.Arrays.copyOf(list, list.length - 1));
        assertTrue(Arrays.equals(plain, WavReader.decode(noPad.build(s), "no-pad").samples()));
        // trailing garbage shorter than a chunk header is ignored
        byte[] trailing = Arrays.copyOf(odd, odd.length + 5);
        assertEquals(101, WavReader.decode(trailing, "trailing").samples().length);
    }

    private static WavFormatException bad(byte[] file, String expect) {
        WavFormatException e = assertThrows(WavFormatException.class, () -> WavReader.decode(file, "bad.wav"));
        assertTrue(e.getMessage().startsWith("bad.wav: "), e.getMessage());
        assertTrue(e.getMessage().contains(expect), "'" + e.getMessage() + "' should say '" + expect + "'");
        return e;
    }

    @Test
    void badFilesAreNamedErrors() {
        byte[] good = new TestWav().build(signal(50, 1));
        bad(new byte[0], "empty file");
        bad("RIFF".getBytes(), "too short");
        bad("OggS\0\0\0\0WAVEfmt ".getBytes(), "not a RIFF file (starts with 'OggS')");
        byte[] rf64 = good.clone(); rf64[0] = 'R'; rf64[1] = 'F'; rf64[2] = '6'; rf64[3] = '4';
        bad(rf64, "RF64");
        byte[] avi = good.clone(); avi[8] = 'A'; avi[9] = 'V'; avi[10] = 'I'; avi[11] = ' ';
        bad(avi, "not WAVE");
        byte[] noFmt = good.clone(); noFmt[12] = 'x';
        bad(noFmt, "no 'fmt ' chunk");
        byte[] noData = Arrays.copyOf(good, 36);
        bad(noData, "no 'data' chunk");
        bad(new TestWav().fmt(2, 4, 1, 16000).build(new double[0][1]), "unsupported codec: format tag 0x0002 (Microsoft ADPCM)");
        bad(new TestWav().fmt(0x55, 16, 1, 16000).build(signal(4, 1)), "MPEG Layer 3");
        TestWav extOdd = new TestWav().extensible();
        byte[] weirdGuid = extOdd.build(signal(4, 1));
        weirdGuid[20 + 39] ^= 1; // last GUID byte (fmt body starts at 20, GUID at +24)
        bad(weirdGuid, "WAVE_FORMAT_EXTENSIBLE sub-format {00000001-0000-0010-8000-00AA00389B70}");
        bad(new TestWav().fmt(1, 16, 0, 16000).build(new double[3][0]), "zero channels");
        bad(new TestWav().fmt(1, 16, 1, 0).build(signal(3, 1)), "zero sample rate");
        bad(new TestWav().build(new double[0][1]), "empty 'data' chunk");
        bad(new TestWav().fmt(1, 16, 2, 16000).assemble(new byte[3]), "less than one 4-byte frame");
        TestWav align = new TestWav();
        align.blockAlignOverride = 3;
        bad(align.build(signal(3, 1)), "block align 3 does not match 1 channel(s) × 2 byte(s)");
        bad(new TestWav().fmt(1, 40, 1, 16000).build(new double[0][1]), "unsupported PCM bit depth 40");
        bad(new TestWav().fmt(3, 16, 1, 16000).build(new double[0][1]), "unsupported IEEE float bit depth 16");
        bad(new TestWav().fmt(7, 16, 1, 16000).build(new double[0][1]), "mu-law bit depth 16");
        byte[] shortFmt = good.clone(); shortFmt[16] = 12; // fmt size 12, then the walk runs into fmt's own bytes
        bad(shortFmt, "'fmt ' chunk is 12 bytes");
        byte[] fmtPastEnd = Arrays.copyOf(good, 30);
        bad(fmtPastEnd, "'fmt ' chunk declares 16 bytes but only 10 remain");
        byte[] nan = new TestWav().fmt(3, 32, 1, 16000).build(new double[][]{{0.1}, {Double.NaN}, {0.2}});
        bad(nan, "non-finite float sample in frame 1");
        bad(new TestWav().fmt(3, 64, 1, 16000).build(new double[][]{{0.1}, {0.2}, {3e7}}), "float sample 3.0E7 out of range (|x| > 1e6) in frame 2");
    }

    @Test
    void resamplingRefusesAbsurdRates() throws IOException {
        byte[] lowRate = new TestWav().fmt(1, 16, 1, 3).build(signal(100, 1));
        assertEquals(3, WavReader.decode(lowRate, "slow.wav").sourceRate()); // reading it at its own rate is fine
        WavFormatException e = assertThrows(WavFormatException.class, () -> WavReader.decode(lowRate, "slow.wav", 16000));
        assertTrue(e.getMessage().contains("unsupported sample rate 3 Hz"), e.getMessage());
    }

    /** A header claiming 4 GB of data in a tiny file: read what is there, allocate by the file, not the claim. */
    @Test
    void declaredSizeLargerThanFileIsReadAsFarAsItGoes() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TestWav w = new TestWav();
        w.dataSizeOverride = 0xFFFFFFF0L;
        byte[] file = w.build(signal(1000, 1));
        WavReader.decode(file, "warmup.wav");
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        AudioClip clip = WavReader.decode(file, "liar.wav");
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(clip.truncated());
        assertEquals(1000, clip.samples().length);
        assertTrue(clip.describe().contains("(truncated)"));
        assertTrue(allocated < 8L * file.length + 64 * 1024, "allocated " + allocated + " for a " + file.length + "-byte file");
    }

    @Test
    void g711MatchesTheStandardTables() {
        // ITU-T G.711 end points and zero codes (as in sox's and Sun's tables).
        assertEquals(-32124, WavReader.G711.ulaw((byte) 0x00));
        assertEquals(32124, WavReader.G711.ulaw((byte) 0x80));
        assertEquals(0, WavReader.G711.ulaw((byte) 0xFF));
        assertEquals(0, WavReader.G711.ulaw((byte) 0x7F));
        assertEquals(-8, WavReader.G711.alaw((byte) 0x55));
        assertEquals(8, WavReader.G711.alaw((byte) 0xD5));
        assertEquals(-32256, WavReader.G711.alaw((byte) 0x2A));
        assertEquals(32256, WavReader.G711.alaw((byte) 0xAA));
        // Monotonic over the code space: decoding is a bijection onto increasing levels per sign.
        for (int c = 1; c < 128; c++) {
            assertTrue(WavReader.G711.ulaw((byte) (0x80 | c)) < WavReader.G711.ulaw((byte) (0x80 | (c - 1))));
        }
    }

    @Test
    void filesOnDiskAndTheirProblems(@TempDir Path dir) throws IOException {
        Path ok = dir.resolve("ok.wav");
        Files.write(ok, Fixtures.bytes("formats/rate_8000.wav"));
        AudioClip clip = WavReader.read(ok);
        assertEquals(8000, clip.sampleRate());
        assertEquals(2000, clip.samples().length);
        AudioClip up = WavReader.read(ok, 16000);
        assertEquals(16000, up.sampleRate());
        assertEquals(4000, up.samples().length);
        assertEquals(0.25, up.durationSeconds(), 1e-9);
        WavFormatException missing = assertThrows(WavFormatException.class, () -> WavReader.read(dir.resolve("nope.wav")));
        assertTrue(missing.getMessage().endsWith("nope.wav: no such file"), missing.getMessage());
        WavFormatException isDir = assertThrows(WavFormatException.class, () -> WavReader.read(dir));
        assertTrue(isDir.getMessage().contains("is a directory"));
        Path devZero = Path.of("/dev/zero");
        if (Files.exists(devZero)) { // endless: must be refused, not read
            WavFormatException dev = assertThrows(WavFormatException.class, () -> WavReader.read(devZero));
            assertTrue(dev.getMessage().endsWith("not a regular file"), dev.getMessage());
        }
        WavFormatException big = assertThrows(WavFormatException.class, () -> WavReader.readBytes(ok, 100));
        assertTrue(big.getMessage().contains("over the 100-byte limit"), big.getMessage());
    }
}
