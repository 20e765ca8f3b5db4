package dev.earshot.datasets;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A plain-text report on a dataset directory: clips per word, speakers, noise, and split sizes per label set. */
public final class DatasetSummary {
    private DatasetSummary() {
    }

    /**
     * The report: clip counts per word, speakers, background noise files, the release the words fit, then for
     * each label set and for the standard policy (lists or TensorFlow's hash) and a seeded 10/10 speaker split,
     * the entries per split and label (silence and unknown at 10%). A label set the data cannot serve (a
     * missing word, no noise for silence) gets a line saying why instead.
     */
    public static String describe(SpeechCommandsDataset ds, List<LabelSet> labelSets, long seed) throws IOException {
        StringBuilder sb = new StringBuilder();
        Map<String, Integer> perWord = ds.clipsPerWord();
        sb.append(String.format(Locale.ROOT, "dataset %s%n", ds.root()));
        SpeechCommandsVersion v = ds.guessVersion();
        sb.append(String.format(Locale.ROOT, "%d clips, %d words, %d speakers, %d background noise files, words fit %s%s%n",
                ds.clips().size(), perWord.size(), ds.speakers().size(), ds.backgroundNoiseFiles().size(),
                v == null ? "a custom vocabulary" : "Speech Commands " + v.tag(),
                ds.hasSplitLists() ? ", has validation/testing lists" : ""));
        sb.append("clips per word:\n");
        for (Map.Entry<String, Integer> e : perWord.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %-12s %6d%n", e.getKey(), e.getValue()));
        }
        List<SplitPolicy> policies = List.of(SplitPolicy.standard(ds), SplitPolicy.speakerHeldOut(ds, 10, 10, seed));
        for (LabelSet ls : labelSets) {
            for (SplitPolicy p : policies) {
                sb.append(String.format(Locale.ROOT, "labels %s (%d classes), split %s:%n",
                        ls.size() <= 14 ? ls.labels().toString() : ls.words().size() + " words", ls.size(), p.describe()));
                DataIndex idx;
                try {
                    idx = DataIndex.build(ds, ls, p, seed);
                } catch (IllegalArgumentException e) {
                    sb.append("  not available: ").append(e.getMessage()).append('\n');
                    continue;
                }
                for (Split s : Split.values()) {
                    int[] c = idx.countsPerLabel(s);
                    sb.append(String.format(Locale.ROOT, "  %-10s %6d entries (silence %d, unknown %d, words %d)%n",
                            s.tfName(), idx.entries(s).size(), c[0], c[1], idx.entries(s).size() - c[0] - c[1]));
                }
            }
        }
        return sb.toString();
    }
}
