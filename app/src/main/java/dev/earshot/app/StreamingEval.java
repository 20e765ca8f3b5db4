package dev.earshot.app;

import dev.earshot.api.CommandRecognizer;
import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.api.SpotterListener;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Clip;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.Split;
import dev.earshot.datasets.SplitPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Streaming evaluation as TensorFlow's generate_streaming_test_wav and test_streaming_accuracy do them, shared by
 * {@code eval-stream} and {@code tune-detection}: a long stream built from a dataset's clips over background noise
 * with ground-truth times, one pass of the GRU recording every posterior, detection replayed from the recording
 * under any settings, and TensorFlow's scoring.
 */
final class StreamingEval {
    private StreamingEval() {}

    /**
     * A ground-truth word: its label, the stream time of its middle, and what was said there (the clip's
     * {@code word/file.wav} in a generated stream; the label in a ground-truth file).
     */
    record Truth(String label, long timeMs, String said) {
        Truth(String label, long timeMs) {
            this(label, timeMs, label);
        }
    }

    /** How to build a stream: whose clips, how long, how often a word, how many unknown, how loud the noise. */
    record Recipe(Path data, Path list, String split, double minutes, int wordGapMs, double unknownPercent,
                  double noiseVolume, long seed) {
        Recipe with(long s, double mins, double unknown, int gapMs, double noise) {
            return new Recipe(data, list, split, mins, gapMs, unknown, noise, s);
        }
    }

    /** TensorFlow's streaming statistics; rates are of the command words (unknown words are not to be found). */
    record Stats(int truths, int commands, int matched, int correct, int wrong, int falsePositives, double hours) {
        double pct(int v) {
            return commands == 0 ? 0 : 100.0 * v / commands;
        }

        double falseAcceptsPerHour() {
            return hours == 0 ? 0 : falsePositives / hours;
        }
    }

    /** Every posterior of one pass over a stream, and how often they came. */
    record Recording(long[] timesMs, float[][] posteriors, int periodMs, double hours) {}

    /** Runs the stream through a spotter once, recording the posteriors (and the detections under {@code s}). */
    static Recording record(KeywordModel m, float[] pcm, DetectionSettings s, List<Detection> found) {
        List<Long> times = new ArrayList<>();
        List<float[]> posts = new ArrayList<>();
        SpotterListener l = new SpotterListener() {
            public void onDetection(Detection d) {
                found.add(d);
            }

            public void onPosteriors(long t, float[] p, float[] smoothed) {
                times.add(t);
                posts.add(p.clone());
            }
        };
        int period;
        try (Spotter sp = new Spotter(m, s, l)) {
            for (int i = 0; i < pcm.length; i += 1600) sp.accept(pcm, i, Math.min(1600, pcm.length - i));
            period = sp.posteriorPeriodMs();
        }
        long[] t = new long[times.size()];
        for (int i = 0; i < t.length; i++) t[i] = times.get(i);
        return new Recording(t, posts.toArray(new float[0][]), period, pcm.length / (double) m.sampleRate() / 3600);
    }

    /** The per-keyword thresholds of {@code s} as the members of a JSON object, by label: "go":0.45,"no":0.65 */
    static String thresholdsJson(DetectionSettings s) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(s.thresholds()).forEach((label, t) -> b.append(b.length() == 0 ? "" : ",")
                .append(String.format(Locale.ROOT, "\"%s\":%.2f", label, t)));
        return b.toString();
    }

    /**
     * The detections a spotter with settings {@code s} would make on the recorded stream (the window stride must be
     * the recording's: it decides which windows there are).
     */
    static List<Detection> replay(KeywordModel m, Recording r, DetectionSettings s) {
        CommandRecognizer rec = new CommandRecognizer(m.labels(), s, r.periodMs());
        List<Detection> det = new ArrayList<>();
        for (int i = 0; i < r.timesMs().length; i++) {
            Detection d = rec.accept(r.timesMs()[i], r.posteriors()[i]);
            if (d != null) det.add(d);
        }
        return det;
    }

    /**
     * The stream: noise throughout, a word every gap (jittered), ground truth at each word's middle (added to
     * {@code truth}).
     */
    static float[] generate(KeywordModel m, Recipe recipe, List<Truth> truth) throws IOException {
        Path data = recipe.data(), list = recipe.list();
        String split = recipe.split();
        double minutes = recipe.minutes(), unknownPercent = recipe.unknownPercent(), noiseVolume = recipe.noiseVolume();
        int wordGapMs = recipe.wordGapMs();
        long seed = recipe.seed();
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(data);
        java.util.Set<String> listed = list == null ? null : dev.earshot.app.train.DataLoader.readClipList(list);
        SplitPolicy policy = split.equals("all") || listed != null ? null : SplitPolicy.standard(ds);
        Split want = policy == null ? null : Split.parse(split);
        List<Clip> commands = new ArrayList<>(), unknowns = new ArrayList<>();
        for (Clip c : ds.clips()) {
            if (c.isSilence()) continue;
            if (listed != null && !listed.contains(c.relativePath())) continue;
            if (policy != null && policy.splitOf(c) != want) continue;
            if (m.isKeyword(c.word())) commands.add(c);
            else unknowns.add(c);
        }
        if (commands.isEmpty() && unknownPercent < 100) throw new IOException(data + ": no command-word clips to build a stream from");
        if (unknowns.isEmpty() && unknownPercent > 0) throw new IOException(data + ": no unknown-word clips to build a stream from");
        int rate = m.sampleRate();
        int n = (int) (minutes * 60 * rate);
        float[] out = new float[n];
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> noise = new ArrayList<>();
        for (Path p : ds.backgroundNoiseFiles()) noise.add(WavReader.read(p, rate).samples());
        int gap = wordGapMs * rate / 1000;
        for (int start = 0; start < n; start += gap) {  // noise: a random piece per gap, at a random volume
            if (noise.isEmpty()) break;
            float[] src = noise.get(rng.nextInt(noise.size()));
            int off = src.length > gap ? rng.nextInt(src.length - gap) : 0;
            double vol = rng.nextDouble() * noiseVolume;
            for (int i = 0; i < gap && start + i < n; i++) out[start + i] += (float) (src[(off + i) % src.length] * vol);
        }
        for (int start = gap / 2; start + rate < n; start += gap) {
            boolean unknown = rng.nextDouble() * 100 < unknownPercent;
            Clip c = unknown ? unknowns.get(rng.nextInt(unknowns.size())) : commands.get(rng.nextInt(commands.size()));
            float[] w = WavReader.read(c.file(), rate).samples();
            int at = start + rng.nextInt(Math.max(1, gap / 4)) - gap / 8;
            at = Math.max(0, Math.min(n - w.length, at));
            for (int i = 0; i < w.length && at + i < n; i++) out[at + i] += w[i];
            truth.add(new Truth(unknown ? KeywordModel.UNKNOWN : c.word(), (at + w.length / 2L) * 1000 / rate,
                    c.relativePath()));
        }
        for (int i = 0; i < n; i++) out[i] = Math.max(-1f, Math.min(1f, out[i]));
        return out;
    }

    static List<Truth> readTruth(Path file) throws IOException {
        List<Truth> t = new ArrayList<>();
        int line = 0;
        for (String s : Files.readAllLines(file)) {
            line++;
            if (s.isBlank() || s.startsWith("#")) continue;
            String[] f = s.split(",");
            try {
                t.add(new Truth(f[0].trim(), Long.parseLong(f[1].trim())));
            } catch (RuntimeException e) {
                throw new IOException(file + ":" + line + ": want 'label, time_ms', got '" + s + "'");
            }
        }
        return t;
    }

    /**
     * TensorFlow's matching: each detection takes the first unmatched ground-truth word within the tolerance of
     * its time; a command word with the same label is correct, with another label wrong. A detection with no
     * word near it, or on an unknown word, is a false accept (the recognizer never reports unknown words, so
     * detecting one is always an error).
     */
    static Stats score(List<Truth> truth, List<Detection> found, int toleranceMs, double hours, KeywordModel m) {
        return score(truth, found, toleranceMs, hours, m, null);
    }

    /**
     * {@link #score(List, List, int, double, KeywordModel)}, also adding to {@code falseAccepts} (if not null) each
     * false accept as "what was said -> the label detected": the unknown word's clip it landed on, or "(no word)".
     */
    static Stats score(List<Truth> truth, List<Detection> found, int toleranceMs, double hours, KeywordModel m,
                       List<String> falseAccepts) {
        boolean[] used = new boolean[truth.size()];
        boolean[] command = new boolean[truth.size()];
        int matched = 0, correct = 0, wrong = 0, fp = 0, commands = 0;
        for (int i = 0; i < truth.size(); i++) {
            command[i] = m.isKeyword(truth.get(i).label());
            if (command[i]) commands++;
        }
        for (Detection d : found) {
            int hit = -1;
            for (int i = 0; i < truth.size(); i++) {
                if (!used[i] && Math.abs(truth.get(i).timeMs() - d.timeMs()) <= toleranceMs) {
                    hit = i;
                    break;
                }
            }
            if (hit >= 0) used[hit] = true;
            if (hit < 0 || !command[hit]) {
                fp++;
                if (falseAccepts != null) falseAccepts.add((hit < 0 ? "(no word)" : truth.get(hit).said()) + " -> " + d.label());
                continue;
            }
            matched++;
            if (truth.get(hit).label().equals(d.label())) correct++;
            else wrong++;
        }
        return new Stats(truth.size(), commands, matched, correct, wrong, fp, hours);
    }

}
