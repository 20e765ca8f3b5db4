package dev.earshot.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The classes a model predicts: always {@code _silence_} (index 0) and {@code _unknown_} (index 1), then the
 * target words in the given order — TensorFlow's {@code prepare_words_list}. A clip of a word outside the set
 * is {@code _unknown_}; a clip of the {@code _silence_} folder is {@code _silence_}.
 */
public final class LabelSet {
    public static final String SILENCE = "_silence_";
    public static final String UNKNOWN = "_unknown_";
    public static final int SILENCE_INDEX = 0;
    public static final int UNKNOWN_INDEX = 1;

    /** The ten command words of the standard 12-class task, in TensorFlow's order. */
    public static final List<String> STANDARD_WORDS =
            List.of("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go");

    private final List<String> labels;
    private final List<String> words;
    private final Map<String, Integer> index = new HashMap<>();

    private LabelSet(List<String> words) {
        List<String> l = new ArrayList<>();
        l.add(SILENCE);
        l.add(UNKNOWN);
        l.addAll(words);
        this.labels = Collections.unmodifiableList(l);
        this.words = List.copyOf(words);
        for (int i = 0; i < l.size(); i++) index.put(l.get(i), i);
    }

    /** The standard 12 classes: {@code _silence_, _unknown_, yes, no, up, down, left, right, on, off, stop, go}. */
    public static LabelSet standard12() {
        return new LabelSet(STANDARD_WORDS);
    }

    /** Every word of a release as a class (30 for v0.01, 35 for v0.02), plus silence and unknown. */
    public static LabelSet allWords(SpeechCommandsVersion version) {
        return new LabelSet(version.words());
    }

    /**
     * Any word list (order kept; lower-cased).
     *
     * @throws IllegalArgumentException for an empty list, a duplicate, a blank word or a reserved label
     */
    public static LabelSet of(List<String> words) {
        if (words.isEmpty()) throw new IllegalArgumentException("label set needs at least one word");
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (String w : words) {
            String t = w == null ? "" : w.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) throw new IllegalArgumentException("label set has a blank word: " + words);
            if (t.equals(SILENCE) || t.equals(UNKNOWN) || t.equals(SpeechCommandsDataset.BACKGROUND_NOISE_DIR)) {
                throw new IllegalArgumentException("'" + t + "' is reserved and cannot be a target word");
            }
            if (!seen.add(t)) throw new IllegalArgumentException("label set lists '" + t + "' twice: " + words);
        }
        return new LabelSet(new ArrayList<>(seen));
    }

    /**
     * Parses {@code standard12} / {@code 12}, {@code all} / {@code 35} / {@code all-v0.02}, {@code all-v0.01} / {@code 30},
     * or a comma-separated word list.
     */
    public static LabelSet parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "standard12": case "standard": case "12": return standard12();
            case "all": case "all-v0.02": case "all35": case "35": return allWords(SpeechCommandsVersion.V0_02);
            case "all-v0.01": case "all30": case "30": return allWords(SpeechCommandsVersion.V0_01);
            default: return of(List.of(s.split(",")));
        }
    }

    /** All labels: silence, unknown, then the words. */
    public List<String> labels() { return labels; }

    /** The target words only. */
    public List<String> words() { return words; }

    public int size() { return labels.size(); }

    /** Index of a label, or -1. */
    public int indexOf(String label) {
        Integer i = index.get(label);
        return i == null ? -1 : i;
    }

    /** Whether {@code word} is a target word. */
    public boolean isTarget(String word) {
        Integer i = index.get(word);
        return i != null && i > UNKNOWN_INDEX;
    }

    /** The class of a clip: silence for the silence folder, its word when a target, else unknown. */
    public int labelOf(Clip clip) {
        if (clip.isSilence()) return SILENCE_INDEX;
        Integer i = index.get(clip.word());
        return i == null || i <= UNKNOWN_INDEX ? UNKNOWN_INDEX : i;
    }

    @Override
    public String toString() {
        return labels.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSet && ((LabelSet) o).labels.equals(labels);
    }

    @Override
    public int hashCode() {
        return labels.hashCode();
    }
}
