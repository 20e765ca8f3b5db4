package dev.earshot.app;

import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Pcm16Wav;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import dev.earshot.app.StreamingEval.Stats;
import dev.earshot.app.StreamingEval.Truth;
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
 * An external stream and a "label, ms" ground-truth file can be scored the same way.
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

    @Override
    public Integer call() throws Exception {
        try (KeywordModel m = model.open()) {
            float[] pcm;
            List<Truth> truth;
            if (stream != null) {
                if (labelsFile == null) throw new IllegalArgumentException("--stream needs --labels");
                pcm = WavReader.read(stream, m.sampleRate()).samples();
                truth = StreamingEval.readTruth(labelsFile);
            } else {
                if (data == null) throw new IllegalArgumentException("give --data DIR (or --stream and --labels)");
                truth = new ArrayList<>();
                pcm = StreamingEval.generate(m, new StreamingEval.Recipe(data, list, split, minutes, wordGapMs, unknownPercent,
                        noiseVolume, seed), truth);
                if (save != null) {
                    String base = save.toString().replaceFirst("\\.wav$", "");
                    Pcm16Wav.write(Path.of(base + ".wav"), pcm, m.sampleRate());
                    StringBuilder b = new StringBuilder();
                    for (Truth x : truth) b.append(x.label()).append(", ").append(x.timeMs()).append('\n');
                    Files.writeString(Path.of(base + ".txt"), b, StandardCharsets.UTF_8);
                }
            }
            // The model's tuned settings, with any given here in their place (--threshold: one for every keyword).
            DetectionSettings d0 = m.detectionSettings();
            DetectionSettings ds = new DetectionSettings(averageMs != null ? averageMs : d0.averageWindowMs(),
                    d0.threshold(), d0.thresholds(), suppressionMs != null ? suppressionMs : d0.suppressionMs(),
                    minimumCount != null ? minimumCount : d0.minimumCount(), strideMs != null ? strideMs : d0.windowStrideMs());
            if (threshold != null) ds = ds.withThreshold(threshold);
            // One pass of the GRU, recording every posterior; detection is replayed per threshold.
            List<Detection> found = new ArrayList<>();
            StreamingEval.Recording rec = StreamingEval.record(m, pcm, ds, found);
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
            // What the false accepts landed on, most first: a few clips repeated through a long stream can make most
            // of them, which a rate per hour hides.
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
            if (plot != null) plot(curve, plot);
            if (json) {
                System.out.printf(Locale.ROOT, "{\"minutes\":%.2f,\"words\":%d,\"commands\":%d,\"matched_percent\":%.2f,"
                                + "\"correct_percent\":%.2f,\"wrong_percent\":%.2f,\"false_positive_percent\":%.2f,"
                                + "\"false_accepts_per_hour\":%.2f,\"average_ms\":%d,\"suppression_ms\":%d,\"threshold\":%.2f,"
                                + "\"thresholds\":{%s},\"false_accepts_on\":{%s},\"sweep\":[%s]}%n", hours * 60,
                        st.truths(), st.commands(), st.pct(st.matched()), st.pct(st.correct()), st.pct(st.wrong()),
                        st.pct(st.falsePositives()), st.falseAcceptsPerHour(), ds.averageWindowMs(), ds.suppressionMs(),
                        ds.threshold(), StreamingEval.thresholdsJson(ds), json(ranked), sweep);
            }
        }
        return 0;
    }

    /** Ranked counts as the members of a JSON object: "two/x.wav -> go":16 */
    private static String json(List<java.util.Map.Entry<String, Integer>> ranked) {
        StringBuilder b = new StringBuilder();
        for (var e : ranked) b.append(b.length() == 0 ? "" : ",").append(dev.earshot.app.Stats.quote(e.getKey())).append(':').append(e.getValue());
        return b.toString();
    }

    private static void plot(List<double[]> curve, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 640, h = 420, x0 = 70, y0 = 30, pw = 540, ph = 330;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        double maxFa = 1, maxMiss = 1;
        for (double[] c : curve) {
            maxFa = Math.max(maxFa, c[1]);
            maxMiss = Math.max(maxMiss, c[2]);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0, pw, ph);
        g.drawString("false accepts per hour", x0 + pw / 2 - 60, y0 + ph + 35);
        g.drawString("miss %", 10, y0 + ph / 2);
        for (int i = 0; i <= 4; i++) {
            g.drawString(String.format(Locale.ROOT, "%.0f", maxFa * i / 4), x0 + pw * i / 4 - 8, y0 + ph + 16);
            g.drawString(String.format(Locale.ROOT, "%.0f", maxMiss * (4 - i) / 4), x0 - 30, y0 + ph * i / 4 + 4);
        }
        g.setStroke(new BasicStroke(2f));
        g.setColor(new Color(40, 90, 200));
        int px = -1, py = -1;
        for (double[] c : curve) {
            int x = x0 + (int) (pw * c[1] / maxFa), y = y0 + ph - (int) (ph * c[2] / maxMiss);
            if (px >= 0) g.drawLine(px, py, x, y);
            g.fillOval(x - 3, y - 3, 6, 6);
            g.drawString(String.format(Locale.ROOT, "%.2f", c[0]), x + 4, y - 4);
            px = x;
            py = y;
        }
        g.dispose();
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", buf);
        byte[] bytes = buf.toByteArray();
        dev.earshot.api.AtomicFile.write(file, o -> o.write(bytes));
    }
}
