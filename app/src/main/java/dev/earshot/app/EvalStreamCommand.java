package dev.earshot.app;

import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Pcm16Wav;
import dev.earshot.app.StreamingEval.NegativesRecipe;
import dev.earshot.app.StreamingEval.Recorded;
import dev.earshot.app.StreamingEval.Stats;
import dev.earshot.app.StreamingEval.Truth;
import dev.earshot.datasets.NegativeAudio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot eval-stream}: streaming accuracy, as TensorFlow's generate_streaming_test_wav and
 * test_streaming_accuracy measure it. A long stream is built from a dataset's clips over background noise (a
 * word every ~2 s, 30% of them unknown words) with ground-truth times, run through the {@link Spotter}, and
 * scored: a detection matches the ground-truth word within the tolerance of its time; matched, correct, wrong
 * and false-positive rates follow (of the command words in the stream; a detection on an unknown word is a
 * false positive), and a threshold sweep gives false accepts per hour against the miss rate.
 * An external stream and a "label, ms[, end ms]" ground-truth file can be scored the same way. The latency of the
 * correct detections is measured from the word's end (when the ground truth knows it). With {@code --negatives}, a
 * command-free stream of real negative audio ({@link StreamingEval#generateNegatives}) is scored too, its false
 * accepts listed by file; the DET curve ({@code --det}) takes its false accepts from there.
 */
@Command(name = "eval-stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Streaming accuracy on a generated (or given) long stream with ground truth.")
public final class EvalStreamCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--data", paramLabel = "DIR", description = "dataset whose clips and noise build the stream") Path data;
    @Option(names = "--split", defaultValue = "testing", paramLabel = "SPLIT",
            description = "clips of this split: testing, validation, training, all (default: ${DEFAULT-VALUE})") String split;
    @Option(names = "--list", paramLabel = "FILE", description = "use only the clips this file lists (word/file.wav per line)") Path list;
    @Option(names = "--minutes", defaultValue = "10", paramLabel = "MIN",
            description = "length of the generated stream (default: ${DEFAULT-VALUE})") double minutes;
    @Option(names = "--word-gap-ms", defaultValue = "2000", paramLabel = "MS",
            description = "one word about every MS ms (default: ${DEFAULT-VALUE}, as TensorFlow)") int wordGapMs;
    @Option(names = "--unknown-percent", defaultValue = "30", paramLabel = "P",
            description = "share of the words that are not commands (default: ${DEFAULT-VALUE}, as TensorFlow; 100: a command-free stream)")
    double unknownPercent;
    @Option(names = "--noise-volume", defaultValue = "0.1", paramLabel = "V",
            description = "background noise volume, the most of a uniform draw per word gap (default: ${DEFAULT-VALUE})") double noiseVolume;
    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "which clips, noise and times the stream draws (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--stream", paramLabel = "FILE.wav", description = "score this WAV instead of generating one (needs --labels)") Path stream;
    @Option(names = "--labels", paramLabel = "FILE.txt", description = "ground truth of --stream: one 'label, time_ms' per line") Path labelsFile;
    @Option(names = "--save", paramLabel = "FILE", description = "write the generated stream to FILE.wav and its ground truth to FILE.txt") Path save;
    @Option(names = "--tolerance-ms", defaultValue = "750", paramLabel = "MS",
            description = "how far a detection may be from its word (default: ${DEFAULT-VALUE}, as TensorFlow)") int toleranceMs;
    @Option(names = "--threshold", paramLabel = "T", description = "detection threshold (default: the tuned one)") Float threshold;
    @Option(names = "--average-ms", paramLabel = "MS", description = "posterior averaging window (default: the tuned one)") Integer averageMs;
    @Option(names = "--minimum-count", paramLabel = "N", description = "windows averaged before a detection (default: the tuned one)") Integer minimumCount;
    @Option(names = "--suppression-ms", paramLabel = "MS", description = "quiet time after a detection (default: the tuned one)") Integer suppressionMs;
    @Option(names = "--stride-ms", paramLabel = "MS", description = "how often an analysis window starts (default: the tuned one)") Integer strideMs;
    @Option(names = "--plot", paramLabel = "FILE.png", description = "PNG of false accepts per hour against miss rate over a threshold sweep") Path plot;
    @Option(names = "--json", description = "print one JSON object as the last line") boolean json;

    @Option(names = "--negatives", paramLabel = "DIR", description = "audio known to hold no command word (WAV files, "
            + "read recursively; repeatable): also score a command-free stream built from it (noise from --data if "
            + "given, and --background)") List<Path> negatives;
    @Option(names = "--background", paramLabel = "DIR", description = "music or ambience (WAV files longer than 1 s, "
            + "read recursively; repeatable) mixed under the negatives stream half the time, instead of the dataset's noise")
    List<Path> background;
    @Option(names = "--negatives-minutes", defaultValue = "60", paramLabel = "MIN",
            description = "length of the negatives stream (default: ${DEFAULT-VALUE})") double negativesMinutes;
    @Option(names = "--negatives-seed", defaultValue = "2", paramLabel = "S",
            description = "which files, pauses and noise the negatives stream draws (default: ${DEFAULT-VALUE})") long negativesSeed;
    @Option(names = "--negatives-noise-volume", defaultValue = "0.3", paramLabel = "V", description = "noise volume under "
            + "the negatives stream, the most of a uniform draw per 2.5 s (default: ${DEFAULT-VALUE}, as the command-free "
            + "tuning stream)") double negativesNoiseVolume;
    @Option(names = "--det", paramLabel = "FILE.png", description = "PNG of the DET curve (miss rate against false "
            + "accepts per hour, of the negatives stream if given, over thresholds 0.05 to 0.99) and its points in FILE.json")
    Path det;
    @Option(names = "--compare", paramLabel = "MODEL", description = "add this model's DET curve on the same streams "
            + "(a .earshot file, default or windows; repeatable; needs --det)") List<String> compare;

    @Override
    public Integer call() throws Exception {
        if (stream != null && labelsFile == null) throw new IllegalArgumentException("--stream needs --labels");
        if (stream == null && data == null) throw new IllegalArgumentException("give --data DIR (or --stream and --labels)");
        if (negatives != null && !(negativesMinutes > 0)) throw new IllegalArgumentException("--negatives-minutes must be > 0");
        if (background != null && negatives == null) throw new IllegalArgumentException("--background needs --negatives");
        if (compare != null && det == null) throw new IllegalArgumentException("--compare needs --det");
        check();
        java.util.Map<String, KeywordModel> others = new java.util.LinkedHashMap<>();  // the --compare models
        try (KeywordModel m = model.open()) {
            if (negatives != null) loadNegativeAudio(m.sampleRate());  // before any work: a wrong folder fails at once
            for (String spec : compare == null ? List.<String>of() : compare) {  // and so does a wrong --compare model
                if (others.containsKey(spec)) continue;  // named twice: one curve
                KeywordModel other = KeywordModel.open(spec);
                others.put(spec, other);
                checkSameRate(spec, other, m);
            }
            DetectionSettings ds = settings(m);
            // One pass of the GRU, recording every posterior; detection is replayed per threshold.
            List<Detection> found = new ArrayList<>();
            Recorded commands = recordCommands(m, ds, found, true);
            List<Truth> truth = commands.truth();
            StreamingEval.Recording rec = commands.recording();
            double hours = rec.hours();
            List<String> falseAccepts = new ArrayList<>();
            Stats st = StreamingEval.score(truth, found, toleranceMs, hours, m, falseAccepts);
            System.out.printf(Locale.ROOT, "%.1f min stream, %d words (%d commands); averaging %d ms, suppression %d ms, %s%n",
                    hours * 60, st.truths(), st.commands(), ds.averageWindowMs(), ds.suppressionMs(),
                    ds.thresholds().isEmpty() ? String.format(Locale.ROOT, "threshold %.2f", ds.threshold())
                            : "thresholds " + new java.util.TreeMap<>(ds.thresholds()));
            System.out.printf(Locale.ROOT, "matched %.1f%%, correct %.1f%%, wrong %.1f%%, false positives %.1f%% "
                            + "(of command words); %.1f false accepts per hour%n", st.pct(st.matched()),
                    st.pct(st.correct()), st.pct(st.wrong()), st.pct(st.falsePositives()), st.falseAcceptsPerHour());
            List<java.util.Map.Entry<String, Integer>> ranked = printFalseAccepts(falseAccepts);
            StreamingEval.Latency latency = StreamingEval.latency(truth, found, toleranceMs, m, StreamingEval.reportDelayMs(m));
            if (latency != null) {
                System.out.printf(Locale.ROOT, "latency from a command word's end to its detection: median %d ms, "
                        + "90th percentile %d ms (%d detections; reported %d ms after their time stamp, the window's middle)%n",
                        latency.medianMs(), latency.p90Ms(), latency.detections(), StreamingEval.reportDelayMs(m));
            }
            // Threshold sweep on the recorded posteriors, one threshold for every keyword, replayed at the rate the
            // spotter produced them (every frame for a continuous model).
            List<double[]> curve = new ArrayList<>();
            StringBuilder sweep = new StringBuilder();
            for (float th = 0.30f; th <= 0.991f; th += 0.05f) {
                Stats s = StreamingEval.score(truth, StreamingEval.replay(m, rec, ds.withThreshold(th)), toleranceMs, hours, m);
                double miss = 100 - s.pct(s.correct());
                curve.add(new double[] {th, s.falseAcceptsPerHour(), miss});
                System.out.printf(Locale.ROOT, "  threshold %.2f: correct %.1f%% false accepts/h %.1f miss %.1f%%%n", th,
                        s.pct(s.correct()), s.falseAcceptsPerHour(), miss);
                sweep.append(sweep.length() == 0 ? "" : ",").append(String.format(Locale.ROOT,
                        "{\"threshold\":%.2f,\"false_accepts_per_hour\":%.2f,\"miss_percent\":%.2f}", th,
                        s.falseAcceptsPerHour(), miss));
            }
            if (plot != null) SweepPlot.write(curve, plot);
            Recorded negativesStream = null;
            Stats negativeStats = null;
            List<java.util.Map.Entry<String, Integer>> negativesRanked = null;
            if (negatives != null) {
                List<Detection> onNegatives = new ArrayList<>();
                negativesStream = recordNegatives(m, ds, onNegatives);
                List<String> negativeFalseAccepts = new ArrayList<>();
                negativeStats = StreamingEval.score(negativesStream.truth(), onNegatives, toleranceMs,
                        negativesStream.recording().hours(), m, negativeFalseAccepts);
                System.out.printf(Locale.ROOT, "%s: %.1f min, %d utterances; %.1f false accepts per hour%n",
                        negativesStream.name(), negativeStats.hours() * 60, negativeStats.truths(),
                        negativeStats.falseAcceptsPerHour());
                negativesRanked = printFalseAccepts(negativeFalseAccepts);
            }
            List<StreamingEval.DetPoint> points = StreamingEval.det(m, commands, negativesStream, ds, toleranceMs);
            if (det != null) {
                java.util.Map<String, List<StreamingEval.DetPoint>> curves = new java.util.LinkedHashMap<>();
                curves.put(model.spec, points);
                for (java.util.Map.Entry<String, KeywordModel> e : others.entrySet()) {
                    KeywordModel other = e.getValue();
                    DetectionSettings os = settings(other);
                    Recorded c = recordCommands(other, os, new ArrayList<>(), false);
                    Recorded n = negatives == null ? null : recordNegatives(other, os, new ArrayList<>());
                    curves.merge(e.getKey(), StreamingEval.det(other, c, n, os, toleranceMs), (a, b) -> b);
                }
                writeDet(curves, commands.name(), negativesStream == null ? "the command stream" : negativesStream.name(), det);
            }
            if (json) {
                System.out.printf(Locale.ROOT, "{\"minutes\":%.2f,\"words\":%d,\"commands\":%d,\"matched_percent\":%.2f,"
                                + "\"correct_percent\":%.2f,\"wrong_percent\":%.2f,\"false_positive_percent\":%.2f,"
                                + "\"false_accepts_per_hour\":%.2f,\"average_ms\":%d,\"suppression_ms\":%d,\"threshold\":%.2f,"
                                + "\"thresholds\":{%s},\"false_accepts_on\":{%s},\"sweep\":[%s],"
                                + "\"latency_ms_median\":%s,\"latency_ms_p90\":%s,\"negatives_minutes\":%s,"
                                + "\"negatives_false_accepts_per_hour\":%s,\"negatives_false_accepts_on\":%s,\"det\":[%s]}%n",
                        hours * 60, st.truths(), st.commands(), st.pct(st.matched()), st.pct(st.correct()), st.pct(st.wrong()),
                        st.pct(st.falsePositives()), st.falseAcceptsPerHour(), ds.averageWindowMs(), ds.suppressionMs(),
                        ds.threshold(), StreamingEval.thresholdsJson(ds), json(ranked), sweep,
                        latency == null ? "null" : latency.medianMs(), latency == null ? "null" : latency.p90Ms(),
                        negativeStats == null ? "null" : String.format(Locale.ROOT, "%.2f", negativeStats.hours() * 60),
                        negativeStats == null ? "null" : String.format(Locale.ROOT, "%.2f", negativeStats.falseAcceptsPerHour()),
                        negativesRanked == null ? "null" : "{" + json(negativesRanked) + "}", StreamingEval.detJson(points));
            }
        } finally {
            for (KeywordModel other : others.values()) other.close();
        }
        return 0;
    }

    /** Refuses option values no stream can be built or scored with, and outputs that cannot be written, up front. */
    private void check() {
        Options.inputFolder("--data", data);
        Options.oneOf("--split", split, EvalCommand.SPLITS);
        Options.inputFile("--list", list);
        Options.inputFile("--stream", stream);
        Options.inputFile("--labels", labelsFile);
        Options.positive("--minutes", minutes);
        Options.atLeast("--word-gap-ms", wordGapMs, 1);
        if (stream == null && minutes * 60_000 <= wordGapMs / 2.0 + 1000) {
            throw new IllegalArgumentException("--minutes " + minutes + " is too short for one word (the first starts "
                    + wordGapMs / 2 + " ms in and lasts 1 s)");
        }
        Options.inRange("--unknown-percent", unknownPercent, 0, 100);
        Options.nonNegative("--noise-volume", noiseVolume);
        Options.atLeast("--tolerance-ms", toleranceMs, 0);
        if (threshold != null) Options.inRange("--threshold", threshold, 0, 1);
        if (averageMs != null) Options.atLeast("--average-ms", averageMs, 1);
        if (minimumCount != null) Options.atLeast("--minimum-count", minimumCount, 1);
        if (suppressionMs != null) Options.atLeast("--suppression-ms", suppressionMs, 0);
        if (strideMs != null) Options.atLeast("--stride-ms", strideMs, 1);
        Options.nonNegative("--negatives-noise-volume", negativesNoiseVolume);
        for (Path p : negatives == null ? List.<Path>of() : negatives) Options.inputFolder("--negatives", p);
        for (Path p : background == null ? List.<Path>of() : background) Options.inputFolder("--background", p);
        if (save != null) {
            String base = save.toString().replaceFirst("\\.wav$", "");
            Options.outputFile("--save", Path.of(base + ".wav"));
            Options.outputFile("--save", Path.of(base + ".txt"));
        }
        Options.outputFile("--plot", plot);
        Options.outputFile("--det", det);
        if (det != null) Options.outputFile("--det", detJsonFile(det));
    }

    /** The model's tuned settings, with any given here in their place (--threshold: one for every keyword). */
    private DetectionSettings settings(KeywordModel m) {
        DetectionSettings d0 = m.detectionSettings();
        DetectionSettings ds = new DetectionSettings(averageMs != null ? averageMs : d0.averageWindowMs(),
                d0.threshold(), d0.thresholds(), suppressionMs != null ? suppressionMs : d0.suppressionMs(),
                minimumCount != null ? minimumCount : d0.minimumCount(), strideMs != null ? strideMs : d0.windowStrideMs());
        return threshold != null ? ds.withThreshold(threshold) : ds;
    }

    /**
     * The command stream (generated, or --stream with --labels) recorded through {@code m} under {@code s}, its
     * detections added to {@code found}; {@code save}: honour --save.
     */
    private Recorded recordCommands(KeywordModel m, DetectionSettings s, List<Detection> found, boolean save)
            throws IOException {
        if (stream != null) {
            float[] pcm = WavReader.read(stream, m.sampleRate()).samples();
            return new Recorded(stream.toString(), StreamingEval.readTruth(labelsFile), StreamingEval.record(m, pcm, s, found));
        }
        List<Truth> truth = new ArrayList<>();
        float[] pcm = StreamingEval.generate(m, new StreamingEval.Recipe(data, list, split, minutes, wordGapMs, unknownPercent,
                noiseVolume, seed), truth);
        if (save && this.save != null) {
            String base = this.save.toString().replaceFirst("\\.wav$", "");
            Pcm16Wav.write(Path.of(base + ".wav"), pcm, m.sampleRate());
            StringBuilder b = new StringBuilder("# label, time_ms, end_ms\n");
            for (Truth x : truth) {
                b.append(x.label()).append(", ").append(x.timeMs());
                if (x.endMs() != StreamingEval.NO_END) b.append(", ").append(x.endMs());
                b.append('\n');
            }
            Files.writeString(Path.of(base + ".txt"), b, StandardCharsets.UTF_8);
        }
        String name = String.format(Locale.ROOT, "generated from %s (%s), %.1f min, seed %d", data.getFileName(),
                list == null ? split : list.getFileName(), minutes, seed);
        return new Recorded(name, truth, StreamingEval.record(m, pcm, s, found));
    }

    private static void checkSameRate(String spec, KeywordModel other, KeywordModel m) {
        if (other.sampleRate() != m.sampleRate()) {
            throw new IllegalArgumentException("--compare " + spec + ": " + other.sampleRate()
                    + " Hz, the streams are at the --model's " + m.sampleRate() + " Hz");
        }
    }

    private NegativeAudio negativeAudio, backgroundAudio;  // read once: every model compared runs at the same rate

    /** Reads --negatives and --background at {@code rate}. */
    private void loadNegativeAudio(int rate) throws IOException {
        negativeAudio = StreamingEval.loadNegatives("--negatives", negatives, rate, 0);
        // a background is mixed in pieces longer than a word: shorter files are skipped
        if (background != null) backgroundAudio = StreamingEval.loadNegatives("--background", background, rate, rate);
    }

    /** The negatives stream recorded through {@code m} under {@code s}, its detections added to {@code found}. */
    private Recorded recordNegatives(KeywordModel m, DetectionSettings s, List<Detection> found) throws IOException {
        List<Truth> truth = new ArrayList<>();
        float[] pcm = StreamingEval.generateNegatives(m, new NegativesRecipe(data, negativeAudio, backgroundAudio,
                negativesMinutes, negativesNoiseVolume, negativesSeed), truth);
        String name = String.format(Locale.ROOT, "negatives %s%s, %.1f min, seed %d", negativeAudio.description(),
                backgroundAudio == null ? "" : " over " + backgroundAudio.description(), negativesMinutes, negativesSeed);
        return new Recorded(name, truth, StreamingEval.record(m, pcm, s, found));
    }

    /**
     * Prints what the false accepts landed on, most first (a few clips repeated through a long stream can make most
     * of them, which a rate per hour hides), and returns the ranked counts.
     */
    private static List<java.util.Map.Entry<String, Integer>> printFalseAccepts(List<String> falseAccepts) {
        java.util.Map<String, Integer> byWhat = new java.util.TreeMap<>();
        for (String f : falseAccepts) byWhat.merge(f, 1, Integer::sum);
        List<java.util.Map.Entry<String, Integer>> ranked = new ArrayList<>(byWhat.entrySet());
        ranked.sort(java.util.Map.Entry.<String, Integer>comparingByValue().reversed());
        if (!ranked.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (var e : ranked) b.append(String.format(Locale.ROOT, "%n  %3d  %s", e.getValue(), e.getKey()));
            System.out.printf(Locale.ROOT, "%d false accepts, on %d different things said:%s%n", falseAccepts.size(),
                    ranked.size(), b);
        }
        return ranked;
    }

    /** Ranked counts as the members of a JSON object: "two/x.wav -> go":16 */
    private static String json(List<java.util.Map.Entry<String, Integer>> ranked) {
        StringBuilder b = new StringBuilder();
        for (var e : ranked) b.append(b.length() == 0 ? "" : ",").append(dev.earshot.app.Stats.quote(e.getKey())).append(':').append(e.getValue());
        return b.toString();
    }

    /** FILE.json beside FILE.png (FILE.png.json when the name does not end in .png). */
    static Path detJsonFile(Path png) {
        String name = png.getFileName().toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        return png.resolveSibling(base + ".json");
    }

    /** The DET curves of each model (by name) as a PNG at {@code png} and their points as JSON beside it. */
    private static void writeDet(java.util.Map<String, List<StreamingEval.DetPoint>> curves, String commandStream,
                                 String falseAcceptStream, Path png) throws IOException {
        StringBuilder b = new StringBuilder("{\"models\":[");
        curves.forEach((name, points) -> b.append(b.charAt(b.length() - 1) == '[' ? "" : ",").append("{\"model\":")
                .append(dev.earshot.app.Stats.quote(name)).append(",\"points\":[").append(StreamingEval.detJson(points))
                .append("]}"));
        b.append("],\"command_stream\":").append(dev.earshot.app.Stats.quote(commandStream))
                .append(",\"false_accept_stream\":").append(dev.earshot.app.Stats.quote(falseAcceptStream)).append("}\n");
        byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
        dev.earshot.api.AtomicFile.write(detJsonFile(png), o -> o.write(text));
        byte[] image = DetPlot.png(curves, falseAcceptStream);
        dev.earshot.api.AtomicFile.write(png, o -> o.write(image));
    }
}
