package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of the reader (and the MFCC on what it returns): bit flips, byte sets, truncations,
 * chunk-size and fmt-field rewrites, insertions and deletions over valid files. Every case must end in a
 * clip or an {@link IOException}; anything else (RuntimeException, OutOfMemoryError, StackOverflowError) fails
 * and names the case's seed, which {@link #replay(long)} reproduces. Allocation per case is also bounded by the
 * file's size: never by what a header claims.
 */
class WavFuzzTest {
    static final int CASES = 40000;
    static final long BASE_SEED = 0xEA25_0770L;
    static final int[] INTERESTING32 = {0, 1, 2, 3, 7, 8, 16, 0x7F, 0x80, 0xFF, 0x100, 0xFFFE, 0xFFFF, 0x10000,
            0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 44100, 1000, 999, 1_000_000, 1_000_001};

    static List<byte[]> corpus() {
        List<byte[]> c = new ArrayList<>();
        for (String f : new String[]{"pcm_u8", "pcm_s16", "pcm_s24_extensible", "float32", "float64", "ulaw", "alaw",
                "stereo_s16", "three_channels_extensible", "rifx_s16", "rate_44100", "rate_8000"}) {
            byte[] b = Fixtures.bytes("formats/" + f + ".wav");
            c.add(Arrays.copyOf(b, Math.min(b.length, 2400))); // a short prefix keeps cases fast (data size then lies)
            if (f.equals("rate_8000") || f.equals("pcm_u8")) c.add(b);
        }
        double[][] s = WavReaderTest.signal(64, 2);
        TestWav ext = new TestWav().fmt(1, 24, 2, 22050).extensible().big();
        ext.before.add(ext.chunk("JUNK", new byte[3]));
        ext.dataFirst = true;
        c.add(ext.build(s));
        c.add(new TestWav().fmt(3, 64, 2, 48000).build(s));
        c.add(new TestWav().fmt(7, 8, 2, 11025).build(s));
        return c;
    }

    /** Chunk header offsets (id at o, size at o+4) found by walking the file as the reader would. */
    static List<Integer> chunkOffsets(byte[] b) {
        List<Integer> out = new ArrayList<>();
        boolean big = b.length > 4 && b[3] == 'X';
        long pos = 12;
        while (pos + 8 <= b.length && out.size() < 64) {
            out.add((int) pos);
            int p = (int) pos;
            long size = big ? ((b[p + 4] & 0xFFL) << 24) | ((b[p + 5] & 0xFF) << 16) | ((b[p + 6] & 0xFF) << 8) | (b[p + 7] & 0xFF)
                    : ((b[p + 7] & 0xFFL) << 24) | ((b[p + 6] & 0xFF) << 16) | ((b[p + 5] & 0xFF) << 8) | (b[p + 4] & 0xFF);
            pos = pos + 8 + size + (size & 1);
        }
        return out;
    }

    static void put32(byte[] b, int p, long v, boolean big) {
        if (p < 0 || p + 4 > b.length) return;
        for (int i = 0; i < 4; i++) b[p + (big ? 3 - i : i)] = (byte) (v >> (8 * i));
    }

    static void put16(byte[] b, int p, int v, boolean big) {
        if (p < 0 || p + 2 > b.length) return;
        for (int i = 0; i < 2; i++) b[p + (big ? 1 - i : i)] = (byte) (v >> (8 * i));
    }

    static byte[] mutate(byte[] src, SplittableRandom r) {
        byte[] b = src.clone();
        int n = 1 + r.nextInt(r.nextInt(8) == 0 ? 12 : 3);
        for (int m = 0; m < n && b.length > 0; m++) {
            boolean big = b.length > 4 && b[3] == 'X';
            switch (r.nextInt(9)) {
                case 0: { int p = r.nextInt(b.length); b[p] ^= (byte) (1 << r.nextInt(8)); break; }
                case 1: { int p = r.nextInt(b.length); b[p] = (byte) new int[]{0, 0xFF, 0x7F, 0x80, 1, r.nextInt(256)}[r.nextInt(6)]; break; }
                case 2: b = Arrays.copyOf(b, r.nextInt(b.length + 1)); break;
                case 3: case 4: { // chunk size rewrite
                    List<Integer> offs = chunkOffsets(b);
                    int p = offs.isEmpty() ? 4 : offs.get(r.nextInt(offs.size())) + 4;
                    long v = r.nextBoolean() ? INTERESTING32[r.nextInt(INTERESTING32.length)] & 0xFFFFFFFFL
                            : Math.max(0, b.length - p - 4 + r.nextInt(-9, 10));
                    put32(b, p, v, big);
                    break;
                }
                case 5: { // fmt field rewrite: tag, channels, rate, byte rate, block align, bits, cbSize, GUID tag
                    int fmt = 20;
                    for (int o : chunkOffsets(b)) if (b[o] == 'f' && b[o + 1] == 'm') fmt = o + 8;
                    int[] fieldOff = {0, 2, 4, 8, 12, 14, 16, 18, 24};
                    int f = fieldOff[r.nextInt(fieldOff.length)];
                    int v = INTERESTING32[r.nextInt(INTERESTING32.length)];
                    if (f == 4 || f == 8 || f == 24) put32(b, fmt + f, v & 0xFFFFFFFFL, big);
                    else put16(b, fmt + f, new int[]{0, 1, 2, 3, 6, 7, 8, 12, 24, 32, 64, 0xFFFE, 0xFFFF, v}[r.nextInt(14)], big);
                    break;
                }
                case 6: { // insertion
                    int p = r.nextInt(b.length + 1), k = 1 + r.nextInt(16);
                    byte[] c = new byte[b.length + k];
                    System.arraycopy(b, 0, c, 0, p);
                    for (int i = 0; i < k; i++) c[p + i] = (byte) r.nextInt(256);
                    System.arraycopy(b, p, c, p + k, b.length - p);
                    b = c;
                    break;
                }
                case 7: { // deletion
                    int p = r.nextInt(b.length), k = Math.min(b.length - p, 1 + r.nextInt(16));
                    byte[] c = new byte[b.length - k];
                    System.arraycopy(b, 0, c, 0, p);
                    System.arraycopy(b, p + k, c, p, b.length - p - k);
                    b = c;
                    break;
                }
                default: { // duplicate a chunk-sized slice (chunks repeated or misplaced)
                    int p = r.nextInt(b.length), k = Math.min(b.length - p, 8 + r.nextInt(40));
                    byte[] c = Arrays.copyOf(b, b.length + k);
                    System.arraycopy(b, p, c, b.length, k);
                    b = c;
                }
            }
        }
        return b;
    }

    static final Mfcc MFCC = new Mfcc(FeatureSettings.defaults());

    /** One case: decode at 16 kHz and featurize. Returns normally or throws IOException. */
    static void runCase(byte[] file, String name) throws IOException {
        AudioClip clip = WavReader.decode(file, name, 16000);
        float[][] frames = MFCC.compute(clip.samples());
        for (float[] fr : frames) for (float v : fr) if (Float.isNaN(v)) throw new AssertionError(name + ": NaN feature");
    }

    @Test
    @Timeout(120)
    void mutatedFilesGiveAClipOrAnIOException() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        List<byte[]> corpus = corpus();
        long t0 = System.nanoTime();
        int ok = 0, rejected = 0;
        double worstAllocPerByte = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = BASE_SEED + i;
            SplittableRandom r = new SplittableRandom(seed);
            byte[] file = mutate(corpus.get(r.nextInt(corpus.size())), r);
            long before = mx.getThreadAllocatedBytes(tid);
            try {
                runCase(file, "fuzz-" + seed);
                ok++;
            } catch (IOException e) {
                rejected++;
                if (!e.getMessage().startsWith("fuzz-" + seed + ": ")) fail("seed " + seed + ": message does not name the file: " + e.getMessage());
            } catch (Throwable t) {
                fail("seed " + seed + " (replay with WavFuzzTest.replay(" + seed + "L)): " + t, t);
            }
            long alloc = mx.getThreadAllocatedBytes(tid) - before;
            // Bound: samples up to 16x upsampled as floats (64 B per file byte) + the resampler's fixed tables.
            worstAllocPerByte = Math.max(worstAllocPerByte, (alloc - 4e6) / Math.max(1, file.length));
            assertTrue(alloc <= 80L * file.length + 4_000_000, "seed " + seed + ": allocated " + alloc + " bytes for a "
                    + file.length + "-byte file");
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fuzz: %d cases in %.1f s: %d decoded, %d rejected with an IOException%n", CASES, secs, ok, rejected);
        assertTrue(ok > CASES / 20 && rejected > CASES / 20, "mutations should both keep and break files: " + ok + "/" + rejected);
    }

    /** Re-runs one case by seed (for debugging a failure report). */
    static void replay(long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> corpus = corpus();
        runCase(mutate(corpus.get(r.nextInt(corpus.size())), r), "fuzz-" + seed);
    }
}
