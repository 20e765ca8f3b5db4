package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of the reader (and the MFCC on what it returns): bit flips, byte sets, truncations,
 * chunk-size and fmt-field rewrites, insertions and deletions over the committed corpus
 * ({@code src/test/resources/fuzz/wav/corpus/}, made by {@code src/test/scripts/make_wav_fuzz_corpus.sh}). Every
 * case must end in a clip or a {@link WavFormatException} naming the input; anything else (another exception,
 * OutOfMemoryError, StackOverflowError) fails, and so does allocating more than a small multiple of the file's
 * size (never what a header claims). A failing input is written to {@code target/fuzz-failures/wav/} and its
 * seed is named, which {@link #replay(long)} reproduces; once fixed it goes into {@code fuzz/wav/crashers/},
 * which is replayed on every run.
 *
 * <p>CI runs a fixed budget from a fixed seed; {@code -Dearshot.fuzz.cases=N -Dearshot.fuzz.seed=S} runs
 * longer or elsewhere.
 */
class WavFuzzTest {
    static final String TARGET = "wav";
    static final int CASES = Integer.getInteger("earshot.fuzz.cases", 300_000);
    static final long BASE_SEED = Long.getLong("earshot.fuzz.seed", 0xEA25_0770L);
    static final int[] INTERESTING32 = {0, 1, 2, 3, 7, 8, 16, 0x7F, 0x80, 0xFF, 0x100, 0xFFFE, 0xFFFF, 0x10000,
            0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 44100, 1000, 999, 1_000_000, 1_000_001};

    record Seed(String name, byte[] bytes) {}

    /** The committed corpus, by file name. */
    static List<Seed> corpus() {
        List<Seed> c = new ArrayList<>();
        for (Path p : FuzzFiles.list(TARGET, "corpus")) c.add(new Seed(p.getFileName().toString(), FuzzFiles.read(p)));
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
    static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** One case: decode at 16 kHz and featurize. Returns the clip or throws WavFormatException. */
    static AudioClip runCase(byte[] file, String name) throws WavFormatException {
        AudioClip clip = WavReader.decode(file, name, 16000);
        float[][] frames = MFCC.compute(clip.samples());
        for (float[] fr : frames) for (float v : fr) if (Float.isNaN(v)) throw new AssertionError(name + ": NaN feature");
        return clip;
    }

    /** How one input ended: decoded, rejected with a WavFormatException naming it, or a problem (a failure). */
    record Outcome(boolean decoded, String problem) {}

    /**
     * Runs one input named {@code name}. It must end in a clip, or a WavFormatException whose message starts with
     * the name, within the allocation bound; anything else is a problem.
     */
    static Outcome check(byte[] file, String name) {
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        boolean decoded = false;
        try {
            runCase(file, name);
            decoded = true;
        } catch (WavFormatException e) {
            if (!e.getMessage().startsWith(name + ": ")) return new Outcome(false, "the error does not name the input: " + e.getMessage());
        } catch (Throwable t) {
            return new Outcome(false, FuzzFiles.describe(t));
        }
        long alloc = THREADS.getThreadAllocatedBytes(tid) - before;
        // Bound: samples up to 16x upsampled as floats (64 B per file byte) + the resampler's fixed tables.
        if (alloc > 80L * file.length + 4_000_000) {
            return new Outcome(decoded, "allocated " + alloc + " bytes for a " + file.length + "-byte file");
        }
        return new Outcome(decoded, null);
    }

    @Test
    void corpusCoversEveryFormatTheReaderHandles() throws IOException {
        List<Seed> corpus = corpus();
        Set<String> seen = new TreeSet<>();
        for (Seed s : corpus) {
            AudioClip c = WavReader.decode(s.bytes(), s.name());  // a seed must be a valid file, not a rejected one
            assertNull(check(s.bytes(), s.name()).problem(), s.name());
            assertTrue(s.bytes().length <= 4096, s.name() + " is " + s.bytes().length + " bytes: keep seeds small, cases fast");
            seen.add(c.codec() + " " + c.bitsPerSample());
            if (c.channels() > 1) seen.add(c.channels() + " channels");
            if (c.container() == AudioClip.Container.RIFX) seen.add("RIFX");
            if (c.extensible()) seen.add("extensible");
            if (c.truncated()) seen.add("truncated");
            if (c.sourceRate() != 16000) seen.add("resampled");
        }
        for (String need : List.of("PCM 8", "PCM 12", "PCM 16", "PCM 24", "PCM 32", "IEEE float 32", "IEEE float 64",
                "mu-law 8", "A-law 8", "2 channels", "3 channels", "RIFX", "extensible", "truncated", "resampled")) {
            assertTrue(seen.contains(need), "no corpus file has " + need + " (have " + seen + "); add one to make_wav_fuzz_corpus.sh");
        }
        for (String layout : List.of("odd_chunks.wav", "unpadded_odd_chunk.wav", "rifx_s24_stereo_data_first.wav")) {
            assertTrue(corpus.stream().anyMatch(s -> s.name().equals(layout)), "corpus lacks " + layout);
        }
    }

    @Test
    void everyCommittedCrasherEndsInAClipOrAWavFormatException() {
        FuzzFiles.replayCrashers(TARGET, p -> check(FuzzFiles.read(p), p.toString()).problem());
    }

    @Test
    @Timeout(120)
    void mutatedFilesGiveAClipOrAWavFormatException() {
        // Replay one failing case with WavFuzzTest.replay(seed).
        FuzzFiles.Campaign c = FuzzFiles.campaign(TARGET, "wav", CASES, BASE_SEED, WavFuzzTest::mutate, (file, seed) -> {
            Outcome o = check(file, "fuzz-" + seed);
            return new FuzzFiles.Verdict(o.problem(), o.decoded());
        });
        assertTrue(c.failures().isEmpty(), () -> FuzzFiles.report(TARGET, CASES, c.failures()));
        assertTrue(c.accepted() > CASES / 20 && c.refused() > CASES / 20,
                "mutations should both keep and break files: " + c.accepted() + "/" + c.refused());
    }

    /** Re-runs one case by seed (for debugging a failure report). */
    static Outcome replay(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Seed> corpus = corpus();
        return check(mutate(corpus.get(r.nextInt(corpus.size())).bytes(), r), "fuzz-" + seed);
    }
}
