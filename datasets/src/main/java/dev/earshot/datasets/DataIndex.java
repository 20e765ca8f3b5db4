package dev.earshot.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The labelled examples of each split, built as TensorFlow's {@code prepare_data_index} does: every clip of a
 * target word in its split; then per split, with {@code known} = that split's target-word clip count,
 * {@code ceil(known * silence% / 100)} silence entries and {@code ceil(known * unknown% / 100)} unknown
 * entries drawn (seeded) from the split's clips of non-target words; then each split shuffled (seeded).
 *
 * <p>Silence entries are first the split's own {@code _silence_} folder clips (real recordings, a seeded
 * sample when there are more than needed), then generated entries ({@link Entry#clip()} null) that the
 * {@link Augmenter} makes from background noise. Same inputs and seed, same index.
 */
public final class DataIndex {
    /**
     * One example.
     *
     * @param clip  the recording, or null for a silence entry to be generated from background noise
     * @param label index into {@link LabelSet#labels()}
     */
    public record Entry(Clip clip, int label) {
        /** Whether this is a silence entry with no recording (made from noise). */
        public boolean generatedSilence() {
            return clip == null;
        }

        @Override
        public String toString() {
            return (clip == null ? "<generated silence>" : clip.relativePath()) + " -> " + label;
        }
    }

    /** The seed TensorFlow's example uses for this draw ({@code RANDOM_SEED} in input_data.py). */
    public static final long TENSORFLOW_SEED = 59185;

    private final LabelSet labels;
    private final SplitPolicy policy;
    private final Map<Split, List<Entry>> entries;

    private DataIndex(LabelSet labels, SplitPolicy policy, Map<Split, List<Entry>> entries) {
        this.labels = labels;
        this.policy = policy;
        this.entries = entries;
    }

    /** The share of silence examples, in percent of a split's command-word clips (TensorFlow's and train's). */
    public static final double SILENCE_PERCENT = 10;

    /**
     * The index a training run validates on, and that {@code dataset info} reports: silence at
     * {@link #SILENCE_PERCENT} (none when the data has neither {@code _silence_} clips nor background noise to make
     * them from, as training then draws none) and unknown words at {@code unknownPercent}, the shares training
     * draws per epoch, with {@link #TENSORFLOW_SEED}. So validation accuracy weighs the classes as training does,
     * not by however many clips of other words a split happens to hold.
     */
    public static DataIndex forTraining(SpeechCommandsDataset dataset, LabelSet labels, SplitPolicy policy,
                                        double unknownPercent) {
        return forTraining(dataset, labels, policy, unknownPercent, TENSORFLOW_SEED);
    }

    /** {@link #forTraining(SpeechCommandsDataset, LabelSet, SplitPolicy, double)} with another seed of the draws. */
    public static DataIndex forTraining(SpeechCommandsDataset dataset, LabelSet labels, SplitPolicy policy,
                                        double unknownPercent, long seed) {
        boolean noise = !dataset.backgroundNoiseFiles().isEmpty();
        boolean silence = noise || dataset.clips().stream().anyMatch(Clip::isSilence);
        // Without noise to make silence from (e.g. a table of frames), a split takes the silence clips it has.
        return build(dataset, labels, policy, silence ? SILENCE_PERCENT : 0, unknownPercent, seed, noise);
    }

    /** TensorFlow's defaults: silence and unknown each 10%. */
    public static DataIndex build(SpeechCommandsDataset dataset, LabelSet labels, SplitPolicy policy, long seed) {
        return build(dataset, labels, policy, 10, 10, seed);
    }

    /**
     * Builds the index.
     *
     * @throws IllegalArgumentException naming the dataset when a target word has no clips, when silence
     *                                  entries must be generated but there is no background noise, or for a
     *                                  negative percentage
     */
    public static DataIndex build(SpeechCommandsDataset dataset, LabelSet labels, SplitPolicy policy,
                                  double silencePercent, double unknownPercent, long seed) {
        return build(dataset, labels, policy, silencePercent, unknownPercent, seed, true);
    }

    /** @param generate make the silence a split lacks from noise (else it has only its silence clips) */
    private static DataIndex build(SpeechCommandsDataset dataset, LabelSet labels, SplitPolicy policy,
                                   double silencePercent, double unknownPercent, long seed, boolean generate) {
        if (!(silencePercent >= 0 && unknownPercent >= 0 && silencePercent <= 1000 && unknownPercent <= 1000)) {
            throw new IllegalArgumentException("silence/unknown percentages must be in [0, 1000]: " + silencePercent + "/" + unknownPercent);
        }
        List<String> present = dataset.words();
        for (String w : labels.words()) {
            if (!present.contains(w)) {
                throw new IllegalArgumentException(dataset.root() + ": target word '" + w + "' has no clips (found: "
                        + String.join(", ", present) + ")");
            }
        }
        Map<Split, List<Entry>> known = new EnumMap<>(Split.class);
        Map<Split, List<Clip>> unknownPool = new EnumMap<>(Split.class);
        Map<Split, List<Clip>> silencePool = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            known.put(s, new ArrayList<>());
            unknownPool.put(s, new ArrayList<>());
            silencePool.put(s, new ArrayList<>());
        }
        for (Clip c : dataset.clips()) {
            Split s = policy.splitOf(c);
            int label = labels.labelOf(c);
            if (c.isSilence()) silencePool.get(s).add(c);
            else if (label == LabelSet.UNKNOWN_INDEX) unknownPool.get(s).add(c);
            else known.get(s).add(new Entry(c, label));
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Map<Split, List<Entry>> out = new EnumMap<>(Split.class);
        // TensorFlow's order of splits, so a seed means the same draws whatever split is asked for.
        for (Split s : new Split[]{Split.VALIDATION, Split.TESTING, Split.TRAINING}) {
            List<Entry> list = new ArrayList<>(known.get(s));
            int setSize = list.size();
            int silenceSize = (int) Math.ceil(setSize * silencePercent / 100);
            List<Clip> sil = silencePool.get(s);
            Shuffle.shuffle(sil, rng);
            int real = Math.min(silenceSize, sil.size());
            for (int i = 0; i < real; i++) list.add(new Entry(sil.get(i), LabelSet.SILENCE_INDEX));
            int generated = generate ? silenceSize - real : 0;
            if (generated > 0 && dataset.backgroundNoiseFiles().isEmpty()) {
                throw new IllegalArgumentException(dataset.root() + ": the " + s.tfName() + " split needs " + generated
                        + " generated silence entries but there is no " + SpeechCommandsDataset.BACKGROUND_NOISE_DIR
                        + "/*.wav to make them from (add noise recordings or set the silence percentage to 0)");
            }
            for (int i = 0; i < generated; i++) list.add(new Entry(null, LabelSet.SILENCE_INDEX));
            List<Clip> unk = unknownPool.get(s);
            Shuffle.shuffle(unk, rng);
            int unknownSize = Math.min(unk.size(), (int) Math.ceil(setSize * unknownPercent / 100));
            for (int i = 0; i < unknownSize; i++) list.add(new Entry(unk.get(i), LabelSet.UNKNOWN_INDEX));
            Shuffle.shuffle(list, rng);
            out.put(s, Collections.unmodifiableList(list));
        }
        return new DataIndex(labels, policy, out);
    }

    /** The entries of a split, in their shuffled order. */
    public List<Entry> entries(Split split) { return entries.get(split); }

    public LabelSet labels() { return labels; }

    public SplitPolicy policy() { return policy; }

    /** A split's entries as a report line says them: "36 entries (silence 3, unknown 3, words 30)". */
    public String describe(Split split) {
        return describe(countsPerLabel(split));
    }

    /** Entries counted per label (indexed like {@link LabelSet#labels()}) as a report line says them. */
    public static String describe(int[] countsPerLabel) {
        int n = 0;
        for (int c : countsPerLabel) n += c;
        int silence = countsPerLabel[LabelSet.SILENCE_INDEX], unknown = countsPerLabel[LabelSet.UNKNOWN_INDEX];
        return String.format(java.util.Locale.ROOT, "%d entries (silence %d, unknown %d, words %d)", n, silence, unknown,
                n - silence - unknown);
    }

    /** Entry count per label of a split (indexed like {@link LabelSet#labels()}). */
    public int[] countsPerLabel(Split split) {
        int[] c = new int[labels.size()];
        for (Entry e : entries.get(split)) c[e.label()]++;
        return c;
    }
}
