package dev.earshot.training;

import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.api.SpotterListener;
import dev.earshot.datasets.NegativeAudio;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Hard-negative mining: runs a model over negative audio as a stream, as the spotter would hear it, and finds the
 * one-clip windows where some command's smoothed posterior is highest. Those windows are what the model would
 * take for a command; training draws them more often. The windows are the clip that ends where the score was
 * read, so that the training label applies at the clip's last frame, where the cross-entropy reads it.
 */
public final class HardNegativeMiner {
    /** A window of negative recording {@code recording} starting at sample {@code start}, and its score there. */
    public record Window(int recording, int start, float score) {}

    /** Silence after each recording, so that a word at a file's very end is heard out. */
    static final int TAIL_MS = 500;

    private HardNegativeMiner() {}

    /**
     * The {@code keep} highest-scoring windows over all recordings, at most {@code perRecording} from each and
     * {@code minGapMs} apart within one, best first.
     *
     * @param settings the averaging of the smoothed posteriors (a model's detection settings)
     */
    public static List<Window> mine(KeywordModel model, DetectionSettings settings, NegativeAudio negatives, int keep,
                                    int perRecording, int minGapMs) {
        if (model.sampleRate() != negatives.sampleRate()) {
            throw new IllegalArgumentException("negatives at " + negatives.sampleRate() + " Hz, model at " + model.sampleRate());
        }
        int rate = model.sampleRate(), clip = model.clipSamples();
        List<List<Window>> per = IntStream.range(0, negatives.size()).parallel().mapToObj(i -> {
            float[] pcm = negatives.samples(i);
            List<Long> times = new ArrayList<>();
            List<Float> scores = new ArrayList<>();
            SpotterListener l = new SpotterListener() {
                public void onDetection(dev.earshot.api.Detection d) {}

                public void onPosteriors(long t, float[] p, float[] smoothed) {
                    times.add(t);
                    scores.add(keywordMax(model, smoothed));
                }
            };
            try (Spotter sp = new Spotter(model, settings, l)) {
                sp.accept(pcm, 0, pcm.length);
                sp.accept(new float[TAIL_MS * rate / 1000]);
            }
            long[] t = new long[times.size()];
            float[] s = new float[t.length];
            for (int k = 0; k < t.length; k++) {
                t[k] = times.get(k);
                s[k] = scores.get(k);
            }
            return peaks(i, t, s, rate, clip, perRecording, minGapMs);
        }).toList();
        List<Window> all = new ArrayList<>();
        per.forEach(all::addAll);
        all.sort(Comparator.comparingDouble((Window w) -> -w.score()).thenComparingInt(Window::recording)
                .thenComparingInt(Window::start));
        return List.copyOf(all.subList(0, Math.min(keep, all.size())));
    }

    /** The largest smoothed posterior of any keyword (not silence or unknown). */
    static float keywordMax(KeywordModel model, float[] smoothed) {
        float best = 0;
        List<String> labels = model.labels();
        for (int k = 0; k < labels.size(); k++) if (model.isKeyword(labels.get(k))) best = Math.max(best, smoothed[k]);
        return best;
    }

    /**
     * The highest scores of one recording's trace, greedily, each at least {@code minGapMs} from those taken, at most
     * {@code count}; each as the window of {@code clipSamples} that ends where the posterior was read. A posterior
     * stamped {@code t} (the middle of the clip heard, as the spotter stamps it) was read at {@code t + clip/2}.
     */
    static List<Window> peaks(int recording, long[] timesMs, float[] scores, int rate, int clipSamples, int count,
                              int minGapMs) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : Integer.compare(a, b));
        List<Window> out = new ArrayList<>();
        List<Long> taken = new ArrayList<>();
        for (int i : order) {
            if (out.size() == count) break;
            boolean near = false;
            for (long t : taken) near |= Math.abs(t - timesMs[i]) < minGapMs;
            if (near) continue;
            taken.add(timesMs[i]);
            long readAtSample = (timesMs[i] * rate) / 1000 + clipSamples / 2;
            out.add(new Window(recording, (int) (readAtSample - clipSamples), scores[i]));
        }
        return out;
    }
}
