package dev.earshot.datasets;

import dev.earshot.audio.VoiceActivity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Recordings of a user's own word made into Speech Commands clips: each take is trimmed to the one utterance in
 * it, judged (clipped, silent, too quiet, too long, more than one utterance are refused with the reason), and
 * written as {@code DIR/<word>/<speaker>_nohash_<n>.wav}: a clip-length window of the recording centred on the
 * word, so the clip keeps the room's own background around it, as the dataset's clips do.
 */
public final class Enrollment {
    /** Samples at or beyond this magnitude count as clipped (the 16-bit converter's last steps). */
    static final float CLIP_LEVEL = 32700f / 32768f;
    /** The loudest 10 ms of a take must reach this (dBFS): quieter words are mostly room noise once normalized. */
    public static final double QUIETEST_PEAK_DB = -40;
    private static final Pattern FILE = Pattern.compile("(.+)_nohash_(\\d+)\\.wav");

    /** A judged take: the clip to keep, or the reason it was refused (and the take's loudest level). */
    public record Take(float[] clip, String refusal, double peakDb, Utterance utterance) {
        public boolean accepted() {
            return refusal == null;
        }
    }

    /** Where the word is in the take, in samples. */
    public record Utterance(int start, int end) {}

    private final Path folder;
    private final String speaker;
    private final int sampleRate, clipSamples;
    private int next;

    /**
     * @param word the label: letters of any script, digits, spaces (written as {@code _}), {@code -} or {@code '}
     * @param speaker the speaker id in file names: letters and digits only
     */
    public Enrollment(Path dir, String word, String speaker, int sampleRate, int clipSamples) throws IOException {
        this.folder = dir.resolve(folderName(word));
        if (!speaker.matches("[\\p{L}\\p{N}]+")) {
            throw new IllegalArgumentException("speaker '" + speaker + "' must be letters and digits only");
        }
        this.speaker = speaker;
        this.sampleRate = sampleRate;
        this.clipSamples = clipSamples;
        this.next = nextIndex(folder, speaker);
    }

    /** The dataset folder name of a word: lower case, spaces as {@code _}; refuses what is not a word. */
    public static String folderName(String word) {
        String w = word.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", "_");
        if (!w.matches("[\\p{L}\\p{N}][\\p{L}\\p{N}_'-]*") || w.startsWith("_")) {
            throw new IllegalArgumentException("'" + word + "' is not a word: use letters, digits and spaces");
        }
        return w;
    }

    public Path folder() {
        return folder;
    }

    /** The index the next file of this speaker gets: one past the highest already in the folder. */
    static int nextIndex(Path folder, String speaker) throws IOException {
        if (!Files.isDirectory(folder)) return 0;
        int n = 0;
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = FILE.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(speaker)) n = Math.max(n, Integer.parseInt(m.group(2)) + 1);
            }
        }
        return n;
    }

    /** Judges a take that should hold the word once (a prompt's recording). */
    public Take judge(float[] take) {
        List<VoiceActivity.Utterance> us = VoiceActivity.find(take, sampleRate);
        double peak = peakDb(take);
        if (us.isEmpty()) {
            return new Take(null, String.format(Locale.ROOT, "no word heard (loudest %.0f dBFS)", peak), peak, null);
        }
        if (us.size() > 1) {
            return new Take(null, "heard " + us.size() + " utterances: say the word once per take", peak, null);
        }
        return judge(take, us.get(0));
    }

    /** Judges the utterance {@code u} of a longer recording (one of {@link VoiceActivity#find}'s). */
    public Take judge(float[] recording, VoiceActivity.Utterance u) {
        double peak = u.peakDb();
        Utterance where = new Utterance(u.start(), u.end());
        int clipped = 0;
        for (int i = u.start(); i < u.end(); i++) if (Math.abs(recording[i]) >= CLIP_LEVEL) clipped++;
        if (clipped > 0) {
            return new Take(null, clipped + " samples clipped at full scale: lower the input gain or move back from "
                    + "the microphone", peak, where);
        }
        if (peak < QUIETEST_PEAK_DB) {
            return new Take(null, String.format(Locale.ROOT, "too quiet (loudest %.0f dBFS, at least %.0f needed): speak "
                    + "closer or raise the input gain", peak, QUIETEST_PEAK_DB), peak, where);
        }
        // The voiced part must fit; the padding VoiceActivity adds around it may fall outside the clip.
        int voiced = Math.max(0, u.length() - 2 * (sampleRate * VoiceActivity.PAD_MS / 1000));
        if (voiced > clipSamples) {
            return new Take(null, String.format(Locale.ROOT, "%.2f s long: a take must fit in the model's %.2f s clip",
                    voiced / (double) sampleRate, clipSamples / (double) sampleRate), peak, where);
        }
        // The clip-length window centred on the word, cut from the recording (zeros beyond its ends).
        float[] clip = new float[clipSamples];
        int from = (u.start() + u.end()) / 2 - clipSamples / 2;
        for (int i = 0; i < clipSamples; i++) {
            int j = from + i;
            clip[i] = j >= 0 && j < recording.length ? recording[j] : 0f;
        }
        return new Take(clip, null, peak, where);
    }

    /** Writes an accepted take as the speaker's next file and returns its path. */
    public Path write(Take t) throws IOException {
        if (!t.accepted()) throw new IllegalArgumentException("a refused take is not written: " + t.refusal());
        Path file = folder.resolve(speaker + "_nohash_" + next + ".wav");
        Pcm16Wav.write(file, t.clip(), sampleRate);
        next++;
        return file;
    }

    /** The loudest 10 ms frame of {@code pcm} in dBFS ({@code -120} when shorter than a frame). */
    private double peakDb(float[] pcm) {
        double p = -120;
        for (double d : VoiceActivity.frameLevels(pcm, sampleRate)) p = Math.max(p, d);
        return p;
    }
}
