package dev.earshot.datasets;

import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Makes a Speech Commands-shaped set spoken by espeak-ng: {@code <word>/<voicekey>_nohash_<n>.wav}, 16 kHz mono
 * 16-bit, exactly one second, plus {@code _background_noise_/} with generated white and pink noise so silence
 * and noise augmentation work as on the real set.
 *
 * <p>A voice is an English espeak-ng voice ({@code espeak-ng --voices=en}, MBROLA ones skipped) with a variant
 * ({@code espeak-ng --voices=variant}, e.g. {@code en-us+f2}); its key ({@code en-us.f2}) is the "speaker", so a
 * speaker split holds whole voices out. Each clip gets its own rate (130–210 wpm) and pitch (30–70), and a
 * random position and gain inside the second, all from the seed. The word is trimmed of espeak's leading and
 * trailing silence; a word longer than a second is spoken faster until it fits.
 */
public final class EspeakSynthesizer {
    /** The message when espeak-ng is missing. */
    public static final String NOT_INSTALLED = "espeak-ng is not installed: apt-get install espeak-ng";

    private static final int RATE = 16000;
    private final String command;
    private final PrintStream progress;

    /**
     * @param command  the espeak-ng executable (normally {@code "espeak-ng"})
     * @param progress where progress lines go (null for none)
     */
    public EspeakSynthesizer(String command, PrintStream progress) {
        this.command = command;
        this.progress = progress;
    }

    /**
     * What to make.
     *
     * @param words   words to speak (lower-case letters of any script, each a folder; a phrase's words joined by '_')
     * @param voices  how many voice+variant combinations (speakers)
     * @param perWord clips per word and voice
     * @param seed    seed of the voice choice, rates, pitches, positions and gains
     */
    public record Options(List<String> words, int voices, int perWord, long seed) {
        public Options {
            words = List.copyOf(words);
            if (words.isEmpty()) throw new IllegalArgumentException("no words to synthesize");
            for (String w : words) {
                if (!w.matches("\\p{Ll}[\\p{Ll}\\p{Mn}'_]{0,47}")) {
                    throw new IllegalArgumentException("word must be lower-case letters ('_' between the words of a "
                            + "phrase): '" + w + "'");
                }
            }
            if (new LinkedHashSet<>(words).size() != words.size()) throw new IllegalArgumentException("duplicate words: " + words);
            if (voices < 1) throw new IllegalArgumentException("voices must be >= 1: " + voices);
            if (perWord < 1) throw new IllegalArgumentException("perWord must be >= 1: " + perWord);
        }
    }

    /** Fails with {@link #NOT_INSTALLED} when the command cannot be run. */
    public void checkInstalled() throws IOException {
        run(List.of(command, "--version"), null);
    }

    /** The voice names ({@code lang+variant}) available, in a fixed order. */
    public List<String> allVoices() throws IOException {
        List<String> langs = new ArrayList<>();
        for (String line : run(List.of(command, "--voices=en"), null).split("\n")) {
            String[] c = line.trim().split("\\s+");
            // Columns: Pty Language Age/Gender VoiceName File ...; MBROLA voices (mb/...) need extra packages.
            // Variants (file !v/...) are listed under English too ("variant  Storm  !v/Storm  (en-us 5)"): not a language.
            if (c.length < 5 || c[0].equals("Pty") || c[4].startsWith("mb/") || c[4].startsWith("!v/") || c[1].equals("variant")) continue;
            if (!langs.contains(c[1]) && c[1].matches("[a-z0-9-]+")) langs.add(c[1]);
        }
        List<String> variants = new ArrayList<>();
        variants.add("");
        for (String line : run(List.of(command, "--voices=variant"), null).split("\n")) {
            String[] c = line.trim().split("\\s+");
            if (c.length < 5 || c[0].equals("Pty")) continue;
            String f = c[c.length - 1].startsWith("!v/") ? c[c.length - 1] : c[4];
            if (f.startsWith("!v/")) {
                String v = f.substring(3);
                if (v.matches("[A-Za-z0-9]+") && !variants.contains(v)) variants.add(v);
            }
        }
        if (langs.isEmpty()) throw new IOException(command + " --voices=en lists no English voices");
        List<String> voices = new ArrayList<>();
        for (String v : variants) for (String l : langs) voices.add(v.isEmpty() ? l : l + "+" + v);
        return voices;
    }

    /** The file-name-safe speaker key of a voice: {@code en-us+f2} becomes {@code en-us.f2}. */
    public static String voiceKey(String voice) {
        return voice.toLowerCase(Locale.ROOT).replace('+', '.');
    }

    /**
     * Writes the set into {@code toDir} (created if needed; existing clips of the same names are replaced).
     *
     * @return the number of clips written
     * @throws IOException {@link #NOT_INSTALLED} when espeak-ng is missing; naming the word and voice when a
     *                     synthesis fails
     */
    public int synthesize(Path toDir, Options o) throws IOException {
        checkInstalled();
        List<String> all = allVoices();
        Shuffle.shuffle(all, new SplittableRandom(o.seed()));
        if (o.voices() > all.size()) {
            throw new IllegalArgumentException("asked for " + o.voices() + " voices; espeak-ng has " + all.size());
        }
        List<String> voices = all.subList(0, o.voices());
        Files.createDirectories(toDir);
        Path tmpDir = Files.createTempDirectory(toDir, ".synth-");
        int written = 0;
        int total = o.words().size() * voices.size() * o.perWord();
        try {
            for (String voice : voices) {
                String key = voiceKey(voice);
                for (String word : o.words()) {
                    for (int n = 0; n < o.perWord(); n++) {
                        SplittableRandom rng = new SplittableRandom(o.seed() * 31 + (key + "/" + word + "/" + n).hashCode());
                        int rate = 130 + rng.nextInt(81);
                        int pitch = 30 + rng.nextInt(41);
                        float[] speech = speak(word, voice, rate, pitch, tmpDir);
                        float[] clip = new float[RATE];
                        int offset = rng.nextInt(RATE - speech.length + 1);
                        float peak = 1e-9f;
                        for (float s : speech) peak = Math.max(peak, Math.abs(s));
                        float gain = (float) ((0.3 + 0.6 * rng.nextDouble()) / peak);
                        for (int i = 0; i < speech.length; i++) clip[offset + i] = speech[i] * gain;
                        Pcm16Wav.write(toDir.resolve(word).resolve(key + Clip.NOHASH + n + ".wav"), clip, RATE);
                        written++;
                    }
                }
                if (progress != null) progress.printf(Locale.ROOT, "synth: %d / %d clips (voice %s)%n", written, total, voice);
            }
            writeNoise(toDir.resolve(SpeechCommandsDataset.BACKGROUND_NOISE_DIR), o.seed());
        } finally {
            DatasetDownloader.deleteTree(tmpDir);
        }
        return written;
    }

    /** The word spoken, trimmed, at 16 kHz, at most one second long. */
    private float[] speak(String word, String voice, int rate, int pitch, Path tmpDir) throws IOException {
        for (int attempt = 0; attempt < 6; attempt++) {
            Path wav = tmpDir.resolve("espeak.wav");
            run(List.of(command, "-v", voice, "-s", Integer.toString(rate), "-p", Integer.toString(pitch), "-w", wav.toString(),
                            word.replace('_', ' ')),
                    word + " with voice " + voice);
            float[] pcm = WavReader.read(wav, RATE).samples();
            float[] t = trim(pcm);
            if (t.length == 0) throw new IOException(command + " produced silence for '" + word + "' with voice " + voice);
            if (t.length <= RATE) return t;
            rate += 40; // too long for one second: say it faster
        }
        throw new IOException(command + ": '" + word + "' with voice " + voice + " stays longer than one second even at " + rate + " wpm");
    }

    /** Drops leading and trailing samples quieter than 1% of the peak. */
    static float[] trim(float[] x) {
        float peak = 0;
        for (float v : x) peak = Math.max(peak, Math.abs(v));
        if (peak == 0) return new float[0];
        float th = peak * 0.01f;
        int a = 0, b = x.length;
        while (a < b && Math.abs(x[a]) < th) a++;
        while (b > a && Math.abs(x[b - 1]) < th) b--;
        return java.util.Arrays.copyOfRange(x, a, b);
    }

    /** 30 s of white and of pink noise (Paul Kellet's filter), like the real set's white_noise.wav / pink_noise.wav. */
    static void writeNoise(Path dir, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5EEDL);
        int n = 30 * RATE;
        float[] white = new float[n];
        float[] pink = new float[n];
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (int i = 0; i < n; i++) {
            double w = rng.nextDouble() * 2 - 1;
            white[i] = (float) (w * 0.5);
            b0 = 0.99886 * b0 + w * 0.0555179;
            b1 = 0.99332 * b1 + w * 0.0750759;
            b2 = 0.96900 * b2 + w * 0.1538520;
            b3 = 0.86650 * b3 + w * 0.3104856;
            b4 = 0.55000 * b4 + w * 0.5329522;
            b5 = -0.7616 * b5 - w * 0.0168980;
            pink[i] = (float) ((b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) * 0.11);
            b6 = w * 0.115926;
        }
        Pcm16Wav.write(dir.resolve("white_noise.wav"), white, RATE);
        Pcm16Wav.write(dir.resolve("pink_noise.wav"), pink, RATE);
    }

    /** Runs a command, returns its stdout; a missing executable is {@link #NOT_INSTALLED}. */
    private String run(List<String> cmd, String what) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(NOT_INSTALLED + " (could not run '" + command + "': " + e.getMessage() + ")", e);
        }
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish in 60 s" + (what == null ? "" : " for " + what));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command, e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")"
                    + (what == null ? "" : " for " + what) + ": " + text.trim());
        }
        return text;
    }

    /** The distinct words of a comma-separated list, lower-cased. */
    public static List<String> parseWords(String csv) {
        Set<String> s = new LinkedHashSet<>();
        for (String w : csv.split(",")) {
            String t = w.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) s.add(t);
        }
        return new ArrayList<>(s);
    }
}
