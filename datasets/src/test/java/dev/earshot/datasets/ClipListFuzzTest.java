package dev.earshot.datasets;

import dev.earshot.audio.FuzzFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of clip lists ({@code validation_list.txt} and the like) from the committed corpus
 * ({@code src/test/resources/fuzz/clip-list/corpus/}, written by {@link #generateCorpus()}): every one ends in a
 * set of clips or an IOException that names the file, never another exception, and binary or non-UTF-8 mutants
 * are refused rather than read as a wrong split. A failing input is written to
 * {@code target/fuzz-failures/clip-list/} and, once fixed, goes into {@code fuzz/clip-list/crashers/}, which is
 * replayed on every run.
 *
 * <p>CI runs a fixed budget from a fixed seed; {@code -Dearshot.fuzz.cases=N -Dearshot.fuzz.seed=S} runs
 * longer or elsewhere. {@code -Dearshot.fuzz.writeCorpus=true} rewrites the corpus.
 */
class ClipListFuzzTest {
    static final String TARGET = "clip-list";
    static final int CASES = Integer.getInteger("earshot.fuzz.cases", 20_000);
    static final long BASE_SEED = Long.getLong("earshot.fuzz.seed", 7L);

    record Listed(byte[] bytes, Set<String> clips) {}

    /** The corpus: each file's bytes and the clips {@link ClipList#read} must find in it. */
    static Map<String, Listed> generateCorpus() {
        Map<String, Listed> c = new LinkedHashMap<>();
        // The official shape: word/speaker_nohash_n.wav, LF, a final newline.
        c.put("validation_list.txt", listed("right/a69b9b3e_nohash_0.wav\nyes/0a7c2a8d_nohash_0.wav\nno/0b09edd3_nohash_1.wav\n"
                        + "stop/c1d39ce8_nohash_3.wav\n_background_noise_/white_noise.wav\nfour/ffd2ba2f_nohash_4.wav\n",
                "right/a69b9b3e_nohash_0.wav", "yes/0a7c2a8d_nohash_0.wav", "no/0b09edd3_nohash_1.wav",
                "stop/c1d39ce8_nohash_3.wav", "_background_noise_/white_noise.wav", "four/ffd2ba2f_nohash_4.wav"));
        // Edited on Windows: CRLF, ./ prefixes, backslashes, comments, blank lines, stray spaces, no final newline.
        c.put("testing_list_windows.txt", listed("# held-out speakers\r\n./yes/0a7c2a8d_nohash_0.wav\r\n\r\n"
                        + "no\\0b09edd3_nohash_1.wav  \r\n\t./././left/1_nohash_2.wav\r\n# end", "yes/0a7c2a8d_nohash_0.wav",
                "no/0b09edd3_nohash_1.wav", "left/1_nohash_2.wav"));
        // Old Mac line ends (CR only) and a duplicate.
        c.put("cr_only.txt", listed("up/3d53244b_nohash_0.wav\rdown/3d53244b_nohash_1.wav\rup/3d53244b_nohash_0.wav\r",
                "up/3d53244b_nohash_0.wav", "down/3d53244b_nohash_1.wav"));
        // Words of a user's own dataset in other scripts: two-, three- and four-byte UTF-8.
        c.put("unicode_words.txt", listed("café/a_nohash_0.wav\nстоп/b_nohash_1.wav\n停止/c_nohash_2.wav\n🎤/d_nohash_3.wav\n",
                "café/a_nohash_0.wav", "стоп/b_nohash_1.wav", "停止/c_nohash_2.wav", "🎤/d_nohash_3.wav"));
        c.put("comments_only.txt", listed("# no clips listed yet\n\n   \n"));
        return c;
    }

    private static Listed listed(String text, String... clips) {
        return new Listed(text.getBytes(StandardCharsets.UTF_8), Set.of(clips));
    }

    /** One mutant: 1–6 edits (random bytes, bit flips, truncations, NULs and UTF-8 lead bytes). */
    static byte[] mutate(byte[] seed, SplittableRandom rng) {
        byte[] b = seed.clone();
        int edits = 1 + rng.nextInt(6);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int pos = rng.nextInt(b.length);
            switch (rng.nextInt(4)) {
                case 0 -> b[pos] = (byte) rng.nextInt(256);
                case 1 -> b[pos] ^= (byte) (1 << rng.nextInt(8));
                case 2 -> b = Arrays.copyOf(b, pos);
                default -> b[pos] = (byte) (rng.nextBoolean() ? 0 : 0xC3);
            }
        }
        return b;
    }

    /** How one read ended: clips, refused with an IOException naming the file, or a problem (a failure). */
    record Outcome(boolean refused, String problem) {}

    /**
     * Reads {@code list}: it must give clean clip names or an IOException naming the file, and a list that is
     * binary (a NUL byte) or not UTF-8 must be refused, never read as a silently wrong split.
     */
    static Outcome check(Path list) {
        String garbage;
        try {
            byte[] b = Files.readAllBytes(list);
            boolean utf8 = true;
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));  // reports, not replaces, bad bytes
            } catch (CharacterCodingException e) {
                utf8 = false;
            }
            int nul = 0;
            while (nul < b.length && b[nul] != 0) nul++;
            garbage = nul < b.length ? "a NUL byte at " + nul : utf8 ? null : "bytes that are not UTF-8";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (String s : ClipList.read(list)) {
                if (s.isEmpty() || s.contains("\n") || s.contains("\r") || s.contains("\\") || s.startsWith("#")) {
                    return new Outcome(false, "a clip name that is empty, multi-line, backslashed or a comment: '" + s + "'");
                }
            }
            return new Outcome(false, garbage == null ? null : "a list with " + garbage + " was read, not refused");
        } catch (IOException e) {
            boolean named = e.getMessage() != null && e.getMessage().startsWith(list + ": ");
            return new Outcome(true, named ? null : "the error does not name the file: " + e);
        } catch (Throwable t) {
            return new Outcome(false, FuzzFiles.describe(t));
        }
    }

    @Test
    void corpusIsWhatTheGeneratorWritesAndReadsAsListed() throws IOException {
        Path dir = FuzzFiles.sourceDir(TARGET, "corpus");
        Map<String, Listed> want = generateCorpus();
        if (Boolean.getBoolean("earshot.fuzz.writeCorpus")) {
            for (Map.Entry<String, Listed> e : want.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue().bytes());
        }
        List<String> have;
        try (var files = Files.list(dir)) {
            have = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("README.md")).sorted().toList();
        }
        assertEquals(want.keySet().stream().sorted().toList(), have, "corpus files");
        for (Map.Entry<String, Listed> e : want.entrySet()) {
            Path file = dir.resolve(e.getKey());
            assertArrayEquals(e.getValue().bytes(), Files.readAllBytes(file),
                    e.getKey() + " is not what generateCorpus() writes; rewrite the corpus with -Dearshot.fuzz.writeCorpus=true");
            assertEquals(e.getValue().clips(), ClipList.read(file), e.getKey());
        }
    }

    @Test
    void everyCommittedCrasherEndsInClipsOrAnIOExceptionNamingTheFile() {
        FuzzFiles.replayCrashers(TARGET, p -> check(p).problem());
    }

    @Test
    @Timeout(120)
    void mutantsEndInClipsOrAnIOExceptionNamingTheFile(@TempDir Path dir) {
        Path list = dir.resolve("validation_list.txt");
        FuzzFiles.Campaign c = FuzzFiles.campaign(TARGET, "txt", CASES, BASE_SEED, ClipListFuzzTest::mutate, (b, seed) -> {
            try {
                Files.write(list, b);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Outcome o = check(list);
            return new FuzzFiles.Verdict(o.problem(), !o.refused());
        });
        assertTrue(c.failures().isEmpty(), () -> FuzzFiles.report(TARGET, CASES, c.failures()));
        assertTrue(c.refused() > CASES / 20, "binary and malformed mutants are refused: " + c.refused());
    }

    @Test
    void aMissingListIsNamed(@TempDir Path dir) {
        Path list = dir.resolve("testing_list.txt");
        IOException missing = assertThrows(IOException.class, () -> ClipList.read(list));
        assertTrue(missing.getMessage().startsWith(list + ": ") && missing.getMessage().contains("missing"), missing.getMessage());
    }
}
