package dev.earshot.app;

import dev.earshot.api.CommandRecognizer;
import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.api.SpotterListener;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Clip;
import dev.earshot.datasets.NegativeAudio;
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
    /** A command-free stream was asked of data that holds no words but the model's commands. */
    static final class NoUnknownWordsException extends IllegalArgumentException {
        NoUnknownWordsException(String message) {
            super(message);
        }
    }

    private StreamingEval() {}

    /** {@link Truth#endMs()} of a word whose end is not known. */
    static final long NO_END = -1;

    /**
     * A ground-truth word: its label, the stream time of its middle, what was said there (the clip's
     * {@code word/file.wav} in a generated stream, the file's name in a negatives stream; the label in a
     * ground-truth file), and the stream time its speech ends ({@link #speechEnd}; {@link #NO_END} if unknown).
     */
    record Truth(String label, long timeMs, String said, long endMs) {
        Truth(String label, long timeMs, String said) {
            this(label, timeMs, said, NO_END);
        }

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

    /** A stream recorded once: what it is (for reports), its ground truth and its posteriors. */
    record Recorded(String name, List<Truth> truth, Recording recording) {}

    /**
     * How to build a command-free stream of real negative audio: {@code negatives} laid end to end over noise from
     * the dataset {@code data}'s _background_noise_ (null: none) and, half the time when given, from
     * {@code background}; the noise at a volume drawn from U(0, {@code noiseVolume}) per piece.
     */
    record NegativesRecipe(Path data, NegativeAudio negatives, NegativeAudio background, double minutes,
                           double noiseVolume, long seed) {}

    /** A delay from a command word's end to its detection: median and 90th percentile, over {@code detections}. */
    record Latency(long medianMs, long p90Ms, int detections) {}

    /** One point of a DET curve: at one threshold for every keyword, the false accepts and the misses. */
    record DetPoint(float threshold, double falseAcceptsPerHour, double missPercent) {}

    /**
     * Pauses between the files of a negatives stream are uniform in [0, this): 1.5 s on average, so that with
     * ~1 s files (Speech Commands-like clips) an utterance starts about every 2.5 s.
     */
    static final int NEGATIVES_PAUSE_MAX_MS = 3000;

    /** The noise under a negatives stream changes piece and volume this often (the mean onset spacing). */
    static final int NEGATIVES_NOISE_PIECE_MS = 2500;

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
        java.util.Set<String> listed = list == null ? null : dev.earshot.training.DataLoader.readClipList(list);
        SplitPolicy policy = split.equals("all") || listed != null ? null : SplitPolicy.auto(ds);
        Split want = policy == null ? null : Split.parse(split);
        List<Clip> commands = new ArrayList<>(), unknowns = new ArrayList<>();
        for (Clip c : ds.clips()) {
            if (c.isSilence()) continue;
            if (listed != null && !listed.contains(c.relativePath())) continue;
            if (policy != null && policy.splitOf(c) != want) continue;
            if (m.isKeyword(c.word())) commands.add(c);
            else unknowns.add(c);
        }
        String from = listed != null ? "the clips " + list + " lists from " + data
                : policy == null ? data.toString() : "the " + split + " split of " + data + " (" + policy.describe() + ")";
        String instead = listed != null ? "" : policy == null ? "" : "; --split all takes the clips of every split";
        if (commands.isEmpty() && unknownPercent < 100) {
            throw new IllegalArgumentException("no clips of the model's command words (" + String.join(", ",
                    m.labels().stream().filter(m::isKeyword).toList()) + ") in " + from + " to build a stream from" + instead);
        }
        if (unknowns.isEmpty() && unknownPercent >= 100) {
            throw new NoUnknownWordsException("no clips of words other than the model's commands in " + from
                    + " for the stream's unknown words" + instead);
        }
        if (unknowns.isEmpty() && unknownPercent > 0) {
            // One's own enrolled words: a stream of them alone (false accepts are then measured on --negatives).
            System.err.println("note: " + from + " holds no words but the model's commands: the stream holds only "
                    + "them, with no unknown words");
            unknownPercent = 0;
        }
        int rate = m.sampleRate();
        int n = (int) (minutes * 60 * rate);
        float[] out = new float[n];
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> noise = new ArrayList<>();
        for (Path p : ds.backgroundNoiseFiles()) noise.add(WavReader.read(p, rate).samples());
        int gap = wordGapMs * rate / 1000;
        for (int start = 0; start < n; start += gap) {  // noise: a random piece per gap, at a random volume
            if (noise.isEmpty()) break;
            addNoisePiece(out, start, Math.min(gap, n - start), noise.get(rng.nextInt(noise.size())), gap, noiseVolume, rng);
        }
        for (int start = gap / 2; start + rate < n; start += gap) {
            boolean unknown = rng.nextDouble() * 100 < unknownPercent;
            Clip c = unknown ? unknowns.get(rng.nextInt(unknowns.size())) : commands.get(rng.nextInt(commands.size()));
            float[] w = WavReader.read(c.file(), rate).samples();
            int at = start + rng.nextInt(Math.max(1, gap / 4)) - gap / 8;
            at = Math.max(0, Math.min(n - w.length, at));
            for (int i = 0; i < w.length && at + i < n; i++) out[at + i] += w[i];
            int end = speechEnd(w, rate);
            truth.add(new Truth(unknown ? KeywordModel.UNKNOWN : c.word(), (at + w.length / 2L) * 1000 / rate,
                    c.relativePath(), end < 0 ? NO_END : (at + (long) end) * 1000 / rate));
        }
        for (int i = 0; i < n; i++) out[i] = Math.max(-1f, Math.min(1f, out[i]));
        return out;
    }

    /**
     * The command-free stream of real negative audio: noise throughout, in pieces of
     * {@link #NEGATIVES_NOISE_PIECE_MS} (a random piece of a dataset noise file or, half the time when there is a
     * background, of a background file; each at a volume from U(0, noiseVolume)); the negative files drawn
     * uniformly at random and laid whole, end to end, each followed by a pause uniform in
     * [0, {@link #NEGATIVES_PAUSE_MAX_MS}) ms, until the next drawn file does not fit. Each file is a truth labelled
     * {@code _unknown_} at its middle, said = its name (added to {@code truth}), so false accepts are listed by file.
     */
    static float[] generateNegatives(KeywordModel m, NegativesRecipe recipe, List<Truth> truth) throws IOException {
        int rate = m.sampleRate();
        NegativeAudio negatives = recipe.negatives(), background = recipe.background();
        if (negatives.sampleRate() != rate || background != null && background.sampleRate() != rate) {
            throw new IllegalArgumentException("negative audio read at another rate than the model's " + rate + " Hz");
        }
        int n = (int) (recipe.minutes() * 60 * rate);
        float[] out = new float[n];
        SplittableRandom rng = new SplittableRandom(recipe.seed());
        List<float[]> noise = new ArrayList<>();
        if (recipe.data() != null) {
            for (Path p : SpeechCommandsDataset.open(recipe.data()).backgroundNoiseFiles()) noise.add(WavReader.read(p, rate).samples());
        }
        int piece = NEGATIVES_NOISE_PIECE_MS * rate / 1000;
        for (int start = 0; start < n && (!noise.isEmpty() || background != null); start += piece) {
            int len = Math.min(piece, n - start);
            float[] src = background != null && (noise.isEmpty() || rng.nextBoolean())
                    ? background.samples(rng.nextInt(background.size())) : noise.get(rng.nextInt(noise.size()));
            addNoisePiece(out, start, len, src, len, recipe.noiseVolume(), rng);
        }
        int maxPause = NEGATIVES_PAUSE_MAX_MS * rate / 1000;
        for (int at = 0; ; ) {
            int k = rng.nextInt(negatives.size());
            float[] w = negatives.samples(k);
            if (at + w.length > n) break;
            for (int i = 0; i < w.length; i++) out[at + i] += w[i];
            int end = speechEnd(w, rate);
            truth.add(new Truth(KeywordModel.UNKNOWN, (at + w.length / 2L) * 1000 / rate,
                    negatives.recordings().get(k).name(), end < 0 ? NO_END : (at + (long) end) * 1000 / rate));
            at += w.length + rng.nextInt(maxPause);
        }
        for (int i = 0; i < n; i++) out[i] = Math.max(-1f, Math.min(1f, out[i]));
        return out;
    }

    /**
     * Adds {@code len} samples of noise {@code src} to {@code out} at {@code start}: from an offset drawn in
     * [0, src.length - span) (0 if src is no longer than span), wrapping around, at a volume drawn from
     * U(0, maxVolume).
     */
    private static void addNoisePiece(float[] out, int start, int len, float[] src, int span, double maxVolume,
                                      SplittableRandom rng) {
        int off = src.length > span ? rng.nextInt(src.length - span) : 0;
        double vol = rng.nextDouble() * maxVolume;
        for (int i = 0; i < len; i++) out[start + i] += (float) (src[(off + i) % src.length] * vol);
    }

    /**
     * {@link NegativeAudio#load} of the folders given as {@code option} (for the messages), warnings to stderr.
     *
     * @param minSamples files this long or shorter are skipped (0: none)
     */
    static NegativeAudio loadNegatives(String option, List<Path> folders, int rate, int minSamples) throws IOException {
        try {
            return NegativeAudio.load(folders, rate, minSamples, System.err);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(option + " " + e.getFile() + ": " + e.getReason());
        } catch (IOException e) {
            throw new IOException(option + " " + e.getMessage(), e);
        }
    }

    /**
     * Where the speech of a clip ends, in samples: the end of the last 10 ms frame whose RMS is at least 10%
     * (-20 dB) of the loudest 10 ms frame's; -1 for a clip of silence. A clip's quiet tail is not part of the word,
     * so latency is measured from here.
     */
    static int speechEnd(float[] clip, int rate) {
        int frame = Math.max(1, rate / 100), frames = (clip.length + frame - 1) / frame;
        double[] rms = new double[frames];
        double loudest = 0;
        for (int f = 0; f < frames; f++) {
            int from = f * frame, to = Math.min(clip.length, from + frame);
            double sum = 0;
            for (int i = from; i < to; i++) sum += (double) clip[i] * clip[i];
            rms[f] = Math.sqrt(sum / (to - from));
            loudest = Math.max(loudest, rms[f]);
        }
        if (loudest == 0) return -1;
        for (int f = frames - 1; ; f--) if (rms[f] >= 0.1 * loudest) return Math.min(clip.length, (f + 1) * frame);
    }

    /**
     * A ground-truth file: one {@code label, time_ms} per line, optionally {@code , end_ms} (the word's end, for
     * latency); blank lines and lines starting with # are skipped.
     */
    static List<Truth> readTruth(Path file) throws IOException {
        List<Truth> t = new ArrayList<>();
        int line = 0;
        for (String s : Files.readAllLines(file)) {
            line++;
            if (s.isBlank() || s.startsWith("#")) continue;
            String[] f = s.split(",");
            try {
                if (f.length > 3) throw new IllegalArgumentException("too many columns");
                String label = f[0].trim();
                t.add(new Truth(label, Long.parseLong(f[1].trim()), label, f.length == 3 ? Long.parseLong(f[2].trim()) : NO_END));
            } catch (RuntimeException e) {
                throw new IOException(file + ":" + line + ": want 'label, time_ms[, end_ms]', got '" + s + "'");
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
        boolean[] command = new boolean[truth.size()];
        int matched = 0, correct = 0, wrong = 0, fp = 0, commands = 0;
        for (int i = 0; i < truth.size(); i++) {
            command[i] = m.isKeyword(truth.get(i).label());
            if (command[i]) commands++;
        }
        int[] hits = match(truth, found, toleranceMs);
        for (int j = 0; j < found.size(); j++) {
            Detection d = found.get(j);
            int hit = hits[j];
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

    /**
     * TensorFlow's matching: for each detection in turn, the index of the first ground-truth word not yet taken
     * within {@code toleranceMs} of its time, or -1.
     */
    static int[] match(List<Truth> truth, List<Detection> found, int toleranceMs) {
        boolean[] used = new boolean[truth.size()];
        int[] hits = new int[found.size()];
        for (int j = 0; j < found.size(); j++) {
            hits[j] = -1;
            for (int i = 0; i < truth.size(); i++) {
                if (!used[i] && Math.abs(truth.get(i).timeMs() - found.get(j).timeMs()) <= toleranceMs) {
                    hits[j] = i;
                    used[i] = true;
                    break;
                }
            }
        }
        return hits;
    }

    /**
     * How long after a command word's end it is detected: over the correct detections (matched as {@link #score}
     * does, to a command word of the same label) whose word's end is known, the median and 90th percentile, both
     * nearest-rank (the smallest delay at least that share of them is at most), of the time the detection is
     * reported less the word's end; null when there is none.
     *
     * @param reportedAfterMs how long after its time stamp a detection is reported: the {@link dev.earshot.api.Spotter}
     *                        stamps it at its window's middle (as TensorFlow's scoring wants), half a clip before the
     *                        window ends and it can be reported ({@link #reportDelayMs})
     */
    static Latency latency(List<Truth> truth, List<Detection> found, int toleranceMs, KeywordModel m, long reportedAfterMs) {
        int[] hits = match(truth, found, toleranceMs);
        List<Long> delays = new ArrayList<>();
        for (int j = 0; j < found.size(); j++) {
            if (hits[j] < 0) continue;
            Truth t = truth.get(hits[j]);
            Detection d = found.get(j);
            if (m.isKeyword(t.label()) && t.label().equals(d.label()) && t.endMs() != NO_END) delays.add(d.timeMs() + reportedAfterMs - t.endMs());
        }
        if (delays.isEmpty()) return null;
        java.util.Collections.sort(delays);
        return new Latency(nearestRank(delays, 50), nearestRank(delays, 90), delays.size());
    }

    /** How long after its time stamp a spotter running {@code m} reports a detection: half a clip. */
    static long reportDelayMs(KeywordModel m) {
        return 500L * m.clipSamples() / m.sampleRate();
    }

    /** The nearest-rank {@code percent}-th percentile of sorted values. */
    private static long nearestRank(List<Long> sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    /** The thresholds of a DET curve: 0.05 to 0.99 in steps of 0.01, each the float nearest its decimal. */
    static float[] detThresholds() {
        float[] t = new float[95];
        for (int i = 0; i < t.length; i++) t[i] = (5 + i) / 100f;
        return t;
    }

    /**
     * A DET curve replayed from recorded posteriors under {@code s} with one threshold for every keyword, at each of
     * {@link #detThresholds()}: the miss rate of the command words of {@code commands}, and the false accepts per
     * hour of {@code falseAccepts} (null: of {@code commands} itself).
     */
    static List<DetPoint> det(KeywordModel m, Recorded commands, Recorded falseAccepts, DetectionSettings s,
                              int toleranceMs) {
        List<DetPoint> points = new ArrayList<>();
        for (float th : detThresholds()) {
            DetectionSettings at = s.withThreshold(th);
            Stats c = score(commands.truth(), replay(m, commands.recording(), at), toleranceMs,
                    commands.recording().hours(), m);
            Stats f = falseAccepts == null ? c : score(falseAccepts.truth(), replay(m, falseAccepts.recording(), at),
                    toleranceMs, falseAccepts.recording().hours(), m);
            points.add(new DetPoint(th, f.falseAcceptsPerHour(), 100 - c.pct(c.correct())));
        }
        return points;
    }

    /** DET points as a JSON array's members: {"threshold":0.05,"false_accepts_per_hour":12.00,"miss_percent":3.50},… */
    static String detJson(List<DetPoint> points) {
        StringBuilder b = new StringBuilder();
        for (DetPoint p : points) {
            b.append(b.length() == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"threshold\":%.2f,\"false_accepts_per_hour\":%.2f,\"miss_percent\":%.2f}", p.threshold(),
                    p.falseAcceptsPerHour(), p.missPercent()));
        }
        return b.toString();
    }
}
