package dev.earshot.datasets;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A plain-text report on a dataset directory: clips per word, speakers, noise, and split sizes per label set. */
public final class DatasetSummary {
    private DatasetSummary() {
    }

    /**
     * The report: clip counts per word, speakers, background noise files, the release the words fit, then for
     * each label set the entries per split and label under {@code policy}, as a training run with that split and
     * {@code unknownPercent} builds them ({@link DataIndex#forTraining}; its validation set is the one train
     * validates on when {@code seed} is {@link DataIndex#TENSORFLOW_SEED}). A label set the data cannot serve (a
     * missing word, no noise for silence) gets a line saying why instead.
     */
    public static String describe(SpeechCommandsDataset ds, List<LabelSet> labelSets, SplitPolicy policy,
                                  double unknownPercent, long seed) {
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
        for (LabelSet ls : labelSets) {
            sb.append(String.format(Locale.ROOT, "labels %s (%d classes), split %s, unknown %s%%:%n",
                    ls.size() <= 14 ? ls.labels().toString() : ls.words().size() + " words", ls.size(), policy.describe(),
                    unknownPercent == Math.rint(unknownPercent) ? Long.toString((long) unknownPercent) : Double.toString(unknownPercent)));
            DataIndex idx;
            try {
                idx = DataIndex.forTraining(ds, ls, policy, unknownPercent, seed);
            } catch (IllegalArgumentException e) {
                sb.append("  not available: ").append(e.getMessage()).append('\n');
                continue;
            }
            for (Split s : Split.values()) {
                sb.append(String.format(Locale.ROOT, "  %-10s %s%n", s.tfName(), idx.describe(s)));
            }
        }
        return sb.toString();
    }
}
