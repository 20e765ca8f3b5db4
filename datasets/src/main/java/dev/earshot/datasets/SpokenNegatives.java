package dev.earshot.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Other words for a model to learn as "not your word" when a dataset holds none (one's own enrolled words): the
 * bundled list of {@value #RESOURCE} (common English words, digits and the Speech Commands words) less the run's
 * target words, spoken by espeak-ng in {@link #VOICES} voices of many languages, as a Speech Commands-shaped set
 * with white and pink noise in its {@code _background_noise_}. Made once per word list and kept in a cache folder.
 */
public final class SpokenNegatives {
    /** The bundled word list (a resource of this package). */
    public static final String RESOURCE = "other-words.txt";
    /** Voices (espeak-ng language + variant) the words are spoken in by default. */
    public static final int VOICES = 10;
    /** Seed of the voices, rates, pitches and placement: the same set every time. */
    static final long SEED = 17;
    /** Written last into a finished set's folder; a folder without it is made again. */
    static final String DONE = "DONE";

    private SpokenNegatives() {}

    /** The bundled words, less {@code targets} (compared lower-case, with '_' as a space). */
    public static List<String> words(Collection<String> targets) throws IOException {
        java.util.Set<String> skip = new java.util.HashSet<>();
        for (String t : targets) skip.add(t.toLowerCase(Locale.ROOT).replace('_', ' ').trim());
        List<String> out = new ArrayList<>();
        try (InputStream in = SpokenNegatives.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("the bundled word list " + RESOURCE + " is missing from the jar");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String w = line.trim();
                if (!w.isEmpty() && !w.startsWith("#") && !skip.contains(w) && !out.contains(w)) out.add(w);
            }
        }
        return out;
    }

    /**
     * The folder of the spoken words, in {@code voices} voices, for a run whose target words are {@code targets}: made under
     * {@code cacheRoot} by {@code synth} the first time (about a minute), found there afterwards.
     *
     * @throws IOException {@link EspeakSynthesizer#NOT_INSTALLED} when espeak-ng is missing and the set is not cached
     */
    public static Path ensure(Path cacheRoot, Collection<String> targets, int voices, EspeakSynthesizer synth, PrintStream log)
            throws IOException {
        List<String> words = words(targets);
        Path dir = cacheRoot.resolve("spoken-other-words-" + key(words, voices));
        if (Files.exists(dir.resolve(DONE))) return dir;
        Files.createDirectories(cacheRoot);
        if (log != null) {
            log.printf(Locale.ROOT, "speaking %d other words in %d espeak-ng voices as what is not a target word "
                    + "(once; kept in %s)%n", words.size(), voices, dir);
        }
        Path tmp = Files.createTempDirectory(cacheRoot, ".spoken-");
        try {
            synth.synthesize(tmp, new EspeakSynthesizer.Options(words, voices, 1, SEED));
            Files.writeString(tmp.resolve(DONE), words.size() + " words x " + voices + " voices\n");
            if (Files.exists(dir)) DatasetDownloader.deleteTree(dir);  // an unfinished one
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) DatasetDownloader.deleteTree(tmp);
        }
        return dir;
    }

    /** A short digest of what the set holds, its folder name. */
    static String key(List<String> words, int voices) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((String.join("\n", words) + "\n" + voices + "\n" + SEED).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
