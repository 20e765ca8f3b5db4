package dev.earshot.datasets;

import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Audio known to hold none of the target words ("negatives"): every WAV file under some folders, read
 * recursively (symbolic links followed), decoded once to 16-bit PCM at the model's rate. No labels are needed:
 * all of it is "not a command". Training cuts clip-length windows from it at fresh offsets; evaluation lays its
 * files end to end into command-free streams.
 *
 * <p>A file that cannot be read (damaged, not WAV, an encoding the reader does not take) is skipped with a warning
 * that names it and why; a folder with no readable audio at all is refused, since training on it would quietly
 * do nothing. Files with other extensions (README, MANIFEST.tsv, ...) are ignored, except audio formats the reader
 * does not decode (FLAC, MP3, Ogg, ...), which are warned about: the user meant them as audio.
 */
public final class NegativeAudio {
    private static final Set<String> OTHER_AUDIO = Set.of("flac", "mp3", "ogg", "opus", "m4a", "aac", "aif", "aiff", "au", "wma");

    /** One decoded file: where it came from (relative to the folder given) and its samples. */
    public record Recording(String name, Path file, short[] pcm16) {
        /** Length in samples. */
        public int length() {
            return pcm16.length;
        }
    }

    private final List<Recording> recordings;
    private final int sampleRate;
    private final String description;

    private NegativeAudio(List<Recording> recordings, int sampleRate, String description) {
        this.recordings = Collections.unmodifiableList(recordings);
        this.sampleRate = sampleRate;
        this.description = description;
    }

    /**
     * Reads every {@code .wav} under each folder (a single file is taken as it is), in sorted order, resampled to
     * {@code sampleRate}; files of {@code minSamples} or fewer are skipped with a warning (a background must be
     * longer than one clip; 0 keeps every non-empty file).
     *
     * @param warn where skipped files are reported, one line each
     * @throws IOException naming the folder when it does not exist or holds no readable audio
     */
    public static NegativeAudio load(List<Path> folders, int sampleRate, int minSamples, PrintStream warn) throws IOException {
        if (folders.isEmpty()) throw new IllegalArgumentException("no folders given");
        List<Recording> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.exists(folder)) throw new NoSuchFileException(folder.toString(), null, "no such folder");
            List<Path> files;
            try (Stream<Path> s = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
                files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
            } catch (UncheckedIOException e) {
                throw new IOException(folder + ": cannot list: " + e.getCause().getMessage(), e.getCause());
            }
            int before = out.size();
            List<Recording> read = readAll(folder, files, sampleRate, minSamples, warn);
            out.addAll(read);
            if (out.size() == before) {
                throw new IOException(folder + ": no readable audio (want 16-bit PCM or float WAV files"
                        + (minSamples > 0 ? " longer than " + minSamples + " samples" : "") + ", in any subfolder)");
            }
            names.add(folder.getFileName() == null ? folder.toString() : folder.getFileName().toString());
        }
        long samples = 0;
        for (Recording r : out) samples += r.length();
        String d = String.format(Locale.ROOT, "%s (%d files, %.1f min)", String.join(" + ", names), out.size(),
                samples / (double) sampleRate / 60);
        return new NegativeAudio(out, sampleRate, d);
    }

    private static List<Recording> readAll(Path folder, List<Path> files, int rate, int minSamples, PrintStream warn) {
        List<Recording> read = Collections.synchronizedList(new ArrayList<>());
        List<String> skipped = Collections.synchronizedList(new ArrayList<>());
        files.parallelStream().forEach(f -> {
            String name = f.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
            if (OTHER_AUDIO.contains(ext)) {
                skipped.add(f + ": skipped: ." + ext + " is not read (convert it to WAV, e.g. with sox or ffmpeg)");
                return;
            }
            if (!ext.equals("wav") && !ext.equals("wave")) return;
            try {
                float[] pcm = WavReader.read(f, rate).samples();
                if (pcm.length == 0 || pcm.length <= minSamples) {
                    skipped.add(String.format(Locale.ROOT, "%s: skipped: %.2f s long, want more than %.2f s", f,
                            pcm.length / (double) rate, minSamples / (double) rate));
                    return;
                }
                short[] s = new short[pcm.length];
                for (int i = 0; i < s.length; i++) s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(pcm[i] * 32768f)));
                read.add(new Recording(folder.relativize(f).toString(), f, s));
            } catch (IOException | RuntimeException e) {
                String why = String.valueOf(e.getMessage());  // the reader's messages usually name the file already
                skipped.add((why.startsWith(f.toString()) ? why : f + ": " + why) + " (skipped)");
            }
        });
        Collections.sort(skipped);
        for (String s : skipped) warn.println("warning: " + s);
        List<Recording> sorted = new ArrayList<>(read);
        sorted.sort(java.util.Comparator.comparing(r -> r.file().toString()));
        return sorted;
    }

    /** The recordings, in file order. */
    public List<Recording> recordings() {
        return recordings;
    }

    /** Number of files read. */
    public int size() {
        return recordings.size();
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Folder names, file count and minutes, for logs and a model's provenance. */
    public String description() {
        return description;
    }

    /**
     * A random start for a window of {@code n} samples of recording {@code i}: uniform over the places where the
     * window lies inside a longer recording, or where a shorter recording lies inside the window.
     */
    public int randomStart(int i, int n, SplittableRandom rng) {
        int len = recordings.get(i).length();
        int lo = Math.min(0, len - n), hi = Math.max(0, len - n);
        return lo + rng.nextInt(hi - lo + 1);
    }

    /**
     * Samples [start, start + n) of recording {@code i} as floats in [-1, 1), zero where the recording has none
     * ({@code start} may be negative or run past its end).
     */
    public float[] window(int i, int start, int n) {
        short[] s = recordings.get(i).pcm16();
        float[] out = new float[n];
        int from = Math.max(0, start), to = Math.min(s.length, start + n);
        for (int k = from; k < to; k++) out[k - start] = s[k] / 32768f;
        return out;
    }

    /** Recording {@code i} as floats in [-1, 1). */
    public float[] samples(int i) {
        return window(i, 0, recordings.get(i).length());
    }
}
