package dev.earshot.app;

import dev.earshot.audio.AudioClip;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code earshot features FILE… [--json]}: reads each file as the recognizer would (mono, resampled to the
 * feature rate) and prints its format, duration and the MFCC frames' shape; with {@code --json}, one JSON
 * object per line and file, frames included. A file that cannot be read gets one line on stderr naming it
 * and the problem, and the exit code is 1.
 */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Read WAV files and print their format, duration and MFCC feature frames.")
public final class FeaturesCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "WAV files")
    List<Path> files;

    @Option(names = "--json", description = "One JSON object per file (frames included), one per line.")
    boolean json;

    @picocli.CommandLine.Mixin
    FeatureOptions features = new FeatureOptions();





    @Override
    public Integer call() {
        FeatureSettings settings;
        try {
            settings = features.settings();
        } catch (IllegalArgumentException e) {
            System.err.println("earshot features: " + e.getMessage());
            return 2;
        }
        Mfcc mfcc = new Mfcc(settings);
        PrintWriter out = new PrintWriter(System.out, false);
        int failed = 0;
        for (Path f : files) {
            AudioClip clip;
            try {
                clip = WavReader.read(f, settings.sampleRate());
            } catch (IOException e) {
                out.flush();
                System.err.println("earshot features: " + RecognizeCommand.message(f, e));
                failed++;
                continue;
            }
            float[][] frames = mfcc.compute(clip.samples());
            if (json) {
                out.println(toJson(f, clip, settings, frames));
            } else {
                out.printf(Locale.ROOT, "%s: %s -> %d x %d features (%d Hz, %.0f/%.0f ms)%n", f, clip.describe(),
                        frames.length, settings.coefficients(), settings.sampleRate(),
                        settings.windowLength() * 1000.0 / settings.sampleRate(), settings.hopLength() * 1000.0 / settings.sampleRate());
            }
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    /** A setting's value as JSON: a number as a number, a list of numbers as an array, anything else a string. */
    static String jsonValue(String v) {
        if (v.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) return v;
        String[] parts = v.split(",");
        if (parts.length > 1 && java.util.Arrays.stream(parts).allMatch(p -> p.trim().matches("-?[0-9.]+([eE][-+]?[0-9]+)?"))) {
            StringBuilder b = new StringBuilder("[");
            for (String p : parts) b.append(b.length() > 1 ? "," : "").append(jsonValue(p.trim()));
            return b.append(']').toString();
        }
        return Stats.quote(v);
    }

    static String toJson(Path f, AudioClip clip, FeatureSettings s, float[][] frames) {
        StringBuilder sb = new StringBuilder(256 + frames.length * s.coefficients() * 12);
        sb.append("{\"file\":").append(Stats.quote(f.toString()))
                .append(",\"container\":").append(Stats.quote(clip.container().name()))
                .append(",\"codec\":").append(Stats.quote(clip.codec()))
                .append(",\"extensible\":").append(clip.extensible())
                .append(",\"bits\":").append(clip.bitsPerSample())
                .append(",\"channels\":").append(clip.channels())
                .append(",\"sample_rate\":").append(clip.sourceRate())
                .append(",\"sample_frames\":").append(clip.sourceFrames())
                .append(",\"duration_s\":").append(String.format(Locale.ROOT, "%.6f", clip.durationSeconds()))
                .append(",\"truncated\":").append(clip.truncated())
                .append(",\"feature_rate\":").append(s.sampleRate())
                .append(",\"settings\":{");
        boolean first = true;
        for (java.util.Map.Entry<String, String> e : s.toMap().entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(Stats.quote(e.getKey())).append(':').append(jsonValue(e.getValue()));
        }
        sb.append('}')
                .append(",\"shape\":[").append(frames.length).append(',').append(s.coefficients()).append(']')
                .append(",\"frames\":[");
        for (int t = 0; t < frames.length; t++) {
            if (t > 0) sb.append(',');
            sb.append('[');
            for (int c = 0; c < frames[t].length; c++) {
                if (c > 0) sb.append(',');
                sb.append(frames[t][c]);
            }
            sb.append(']');
        }
        return sb.append("]}").toString();
    }
}
