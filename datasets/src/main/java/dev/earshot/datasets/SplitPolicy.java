package dev.earshot.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Decides which {@link Split} a clip belongs to. Three policies:
 * <ul>
 *   <li>{@link #tensorflowHash(double, double)}: TensorFlow's {@code which_set}, so splits match published
 *       results exactly;</li>
 *   <li>{@link #lists(SpeechCommandsDataset)}: the archive's {@code validation_list.txt} /
 *       {@code testing_list.txt} (rest = training);</li>
 *   <li>{@link #speakerHeldOut(SpeechCommandsDataset, double, double, long)}: whole speakers held out, seeded,
 *       for pools that are not the official dataset.</li>
 * </ul>
 * {@link #auto(SpeechCommandsDataset)} picks the lists when both are present, else the hash rule at 10/10 (with
 * {@link #takesWhereSpeakersFail} for the words it cannot split).
 */
public interface SplitPolicy {
    /** TensorFlow's {@code MAX_NUM_WAVS_PER_CLASS}: 2^27 - 1. */
    long MAX_NUM_WAVS_PER_CLASS = (1L << 27) - 1;

    /** The split of {@code clip}. */
    Split splitOf(Clip clip);

    /** A one-line description, e.g. {@code "tensorflow-hash 10/10"}. */
    String describe();

    /**
     * TensorFlow's {@code which_set} ({@code tensorflow/examples/speech_commands/input_data.py}) for a file name
     * or path: the base name with everything from the first {@code _nohash_} on removed is hashed with SHA-1
     * (UTF-8); {@code percentage = (hash mod 2^27) * (100 / (2^27 - 1))} in double precision;
     * {@code < validation} is validation, {@code < validation + testing} is testing, else training.
     */
    static Split whichSet(String fileName, double validationPercent, double testingPercent) {
        String base = fileName;
        int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        if (slash >= 0) base = base.substring(slash + 1);
        int cut = base.indexOf(Clip.NOHASH);
        String hashName = cut >= 0 ? base.substring(0, cut) : base;
        byte[] sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1").digest(hashName.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
        // int(hex, 16) % 2^27 is the digest's low 27 bits: the last four bytes, masked.
        long low = ((sha1[16] & 0xFFL) << 24) | ((sha1[17] & 0xFFL) << 16) | ((sha1[18] & 0xFFL) << 8) | (sha1[19] & 0xFFL);
        long mod = low & MAX_NUM_WAVS_PER_CLASS;
        double percentage = mod * (100.0 / MAX_NUM_WAVS_PER_CLASS);
        if (percentage < validationPercent) return Split.VALIDATION;
        if (percentage < testingPercent + validationPercent) return Split.TESTING;
        return Split.TRAINING;
    }

    /** TensorFlow's hash rule with the given percentages (the published results use 10 and 10). */
    static SplitPolicy tensorflowHash(double validationPercent, double testingPercent) {
        checkPercents(validationPercent, testingPercent);
        return new SplitPolicy() {
            @Override
            public Split splitOf(Clip clip) {
                return whichSet(clip.fileName(), validationPercent, testingPercent);
            }

            @Override
            public String describe() {
                return "tensorflow-hash " + fmt(validationPercent) + "/" + fmt(testingPercent);
            }
        };
    }

    /**
     * The dataset's {@code validation_list.txt} and {@code testing_list.txt} (lines {@code word/file.wav});
     * clips in neither are training.
     *
     * @throws IOException naming the file when a list is missing or unreadable
     */
    static SplitPolicy lists(SpeechCommandsDataset dataset) throws IOException {
        Set<String> val = ClipList.read(dataset.root().resolve(SpeechCommandsDataset.VALIDATION_LIST));
        Set<String> test = ClipList.read(dataset.root().resolve(SpeechCommandsDataset.TESTING_LIST));
        return new SplitPolicy() {
            @Override
            public Split splitOf(Clip clip) {
                if (val.contains(clip.relativePath())) return Split.VALIDATION;
                if (test.contains(clip.relativePath())) return Split.TESTING;
                return Split.TRAINING;
            }

            @Override
            public String describe() {
                return "lists (" + val.size() + " validation, " + test.size() + " testing entries)";
            }
        };
    }

    /**
     * What {@code train}, {@code eval} and {@code tune-detection} split by default: the lists when the dataset has
     * both, else the hash rule at 10/10 with {@link #takesWhereSpeakersFail} for the words it cannot split.
     */
    static SplitPolicy auto(SpeechCommandsDataset dataset) throws IOException {
        return dataset.hasSplitLists() ? lists(dataset) : takesWhereSpeakersFail(dataset, tensorflowHash(10, 10), 10);
    }

    /**
     * Holds whole speakers out: the distinct speaker ids of the word clips are sorted, shuffled with
     * {@code seed}, and the first {@code round(n * validation%)} go to validation, the next
     * {@code round(n * testing%)} to testing (at least one each when asked for and there are 3 or more
     * speakers). No speaker is in two splits. Clips of the {@code _silence_} folder
     * have no speaker: they are split by {@link #whichSet} with the same percentages.
     */
    static SplitPolicy speakerHeldOut(SpeechCommandsDataset dataset, double validationPercent, double testingPercent, long seed) {
        checkPercents(validationPercent, testingPercent);
        List<String> speakers = new ArrayList<>(new java.util.TreeSet<>(
                dataset.clips().stream().filter(c -> !c.isSilence()).map(Clip::speaker).toList()));
        Shuffle.shuffle(speakers, new SplittableRandom(seed));
        int n = speakers.size();
        // A split asked for gets at least one speaker when there are enough to go round (3+), so a small pool
        // (a few synthetic voices) still validates on a held-out speaker.
        int nVal = (int) Math.round(n * validationPercent / 100.0);
        if (nVal == 0 && validationPercent > 0 && n >= 3) nVal = 1;
        int nTest = (int) Math.min(n - nVal, Math.round(n * testingPercent / 100.0));
        if (nTest == 0 && testingPercent > 0 && n - nVal >= 2) nTest = 1;
        Map<String, Split> of = new HashMap<>();
        String counts = nVal + " validation, " + nTest + " testing of " + n + " speakers";
        for (int i = 0; i < n; i++) {
            of.put(speakers.get(i), i < nVal ? Split.VALIDATION : i < nVal + nTest ? Split.TESTING : Split.TRAINING);
        }
        return new SplitPolicy() {
            @Override
            public Split splitOf(Clip clip) {
                if (clip.isSilence()) return whichSet(clip.fileName(), validationPercent, testingPercent);
                Split s = of.get(clip.speaker());
                if (s == null) {
                    throw new IllegalArgumentException(clip.file() + ": speaker '" + clip.speaker()
                            + "' is not in the dataset this speaker split was made for");
                }
                return s;
            }

            @Override
            public String describe() {
                return "speaker-held-out " + fmt(validationPercent) + "/" + fmt(testingPercent) + " seed " + seed
                        + " (" + counts + ")";
            }
        };
    }

    /**
     * {@code base}, except for the words it would leave with no training clip or no validation clip (the words one
     * person enrolled: a speaker split puts their one speaker wholly on one side). Those words' clips are split by
     * take instead: every k-th ({@code k = round(100 / validationPercent)}, at least one) goes to
     * validation, the rest to training (sorted by speaker and take number, so the held-out takes are spread over the
     * session). Their validation is then not of an unheard speaker, and
     * {@link #describe()} says which words it is for.
     */
    static SplitPolicy takesWhereSpeakersFail(SpeechCommandsDataset dataset, SplitPolicy base, double validationPercent) {
        checkPercents(validationPercent, 0);
        Map<String, List<Clip>> byWord = new java.util.TreeMap<>();
        for (Clip c : dataset.clips()) if (!c.isSilence()) byWord.computeIfAbsent(c.word(), w -> new ArrayList<>()).add(c);
        Map<String, Split> of = new HashMap<>();
        List<String> notes = new ArrayList<>();
        for (Map.Entry<String, List<Clip>> e : byWord.entrySet()) {
            List<Clip> clips = e.getValue();
            int train = 0, val = 0;
            for (Clip c : clips) {
                Split s = base.splitOf(c);
                if (s == Split.TRAINING) train++;
                else if (s == Split.VALIDATION) val++;
            }
            if ((train > 0 && val > 0) || clips.size() < 2) continue;
            clips.sort(java.util.Comparator.comparing(Clip::speaker).thenComparingLong(SplitPolicy::takeNumber)
                    .thenComparing(Clip::relativePath));
            int k = Math.max(2, (int) Math.round(100 / validationPercent));
            int nVal = 0;
            for (int i = 0; i < clips.size(); i++) {
                boolean v = i % k == k - 1 || (i == clips.size() - 1 && nVal == 0);
                if (v) nVal++;
                of.put(clips.get(i).relativePath(), v ? Split.VALIDATION : Split.TRAINING);
            }
            long speakers = clips.stream().map(Clip::speaker).distinct().count();
            notes.add("'" + e.getKey() + "' (" + speakers + (speakers == 1 ? " speaker" : " speakers") + ") by take, "
                    + nVal + " of " + clips.size() + " to validation");
        }
        if (of.isEmpty()) return base;
        String what = base.describe() + "; " + String.join(", ", notes);
        return new SplitPolicy() {
            @Override
            public Split splitOf(Clip clip) {
                Split s = of.get(clip.relativePath());
                return s != null ? s : base.splitOf(clip);
            }

            @Override
            public String describe() {
                return what;
            }
        };
    }

    /** The {@code n} of {@code <speaker>_nohash_<n>.wav}, or -1. */
    private static long takeNumber(Clip c) {
        String name = c.fileName();
        int at = name.indexOf(Clip.NOHASH);
        if (at < 0) return -1;
        int from = at + Clip.NOHASH.length(), to = from;
        while (to < name.length() && to - from < 18 && Character.isDigit(name.charAt(to))) to++;
        return to == from ? -1 : Long.parseLong(name.substring(from, to));
    }

    private static void checkPercents(double val, double test) {
        if (!(val >= 0 && test >= 0 && val + test <= 100)) {
            throw new IllegalArgumentException("split percentages must be >= 0 with validation + testing <= 100: "
                    + val + " / " + test);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
