package dev.earshot.training;

import dev.earshot.audio.WavReader;
import dev.earshot.datasets.BackgroundNoise;
import dev.earshot.datasets.Augmenter;
import dev.earshot.datasets.Clip;
import dev.earshot.datasets.DataIndex;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.Split;
import dev.earshot.datasets.SplitPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads a Speech Commands-shaped folder into memory for training: every clip of the training and validation
 * splits (decoded, resampled to the model's rate, cut or padded to one clip), labelled by the label set, and
 * the background noise.
 */
public final class DataLoader {
    private DataLoader() {}

    /** The clips a list file names: {@code word/file.wav} per line; blank lines and {@code #} comments skipped. */
    public static Set<String> readClipList(Path file) throws IOException {
        Set<String> clips = dev.earshot.datasets.ClipList.read(file);
        if (clips.isEmpty()) throw new IOException(file + ": no clips listed");
        return clips;
    }

    /**
     * A split policy from a file of validation clips ({@code word/file.wav} per line); the rest is training, except
     * the unlisted clips of the listed clips' speakers (the clips a dataset gained after the list was made), which
     * are held out of both (reported as testing): validation stays held out by speaker.
     */
    public static SplitPolicy validationList(Path file) throws IOException {
        Set<String> val = readClipList(file);
        Set<String> speakers = new HashSet<>();
        for (String p : val) {
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (!p.startsWith(dev.earshot.datasets.LabelSet.SILENCE + "/")) speakers.add(Clip.speakerOf(name));
        }
        String name = file.getFileName().toString();
        return new SplitPolicy() {
            @Override
            public Split splitOf(Clip clip) {
                if (val.contains(clip.relativePath())) return Split.VALIDATION;
                return !clip.isSilence() && speakers.contains(clip.speaker()) ? Split.TESTING : Split.TRAINING;
            }

            @Override
            public String describe() {
                return "validation list " + name + " (" + val.size() + " clips)";
            }
        };
    }

    /**
     * The training clips (every clip of the training split, and of {@code extra}), and the validation set that
     * {@code dataset info} reports: {@link DataIndex#forTraining}, the validation split's command-word clips with
     * silence (real {@code _silence_} clips, else made from the background noise) and unknown words drawn at the
     * shares training draws them per epoch, so that validation accuracy weighs the classes as training does.
     *
     * @param extra          datasets whose clips all go to training (e.g. espeak-ng speech from {@code dataset synth});
     *                       the first one's background noise is used when {@code dataset} has none
     * @param unknownPercent unknown-word examples per command-word clip, in percent (train's --unknown-percent)
     * @throws IllegalArgumentException before any clip is read, naming the word, when a target word has no
     *                                  training clip
     */
    public static TrainingData load(SpeechCommandsDataset dataset, List<SpeechCommandsDataset> extra, LabelSet labels,
                                    SplitPolicy policy, double unknownPercent, int sampleRate, int clipSamples)
            throws IOException {
        return load(dataset, extra, labels, policy, unknownPercent, sampleRate, clipSamples, 0, 1);
    }

    /**
     * {@link #load}, reading the audio of only this replica's shard of the training clips: clip i of the training list
     * (the same list and order on every replica) when i mod {@code replicas} = {@code replica}. The other clips are
     * there with their labels and no audio ({@link Example#held()} false), so that every replica draws the same
     * batches; the validation set is read whole.
     */
    public static TrainingData load(SpeechCommandsDataset dataset, List<SpeechCommandsDataset> extra, LabelSet labels,
                                    SplitPolicy policy, double unknownPercent, int sampleRate, int clipSamples,
                                    int replica, int replicas) throws IOException {
        return load(plan(dataset, extra, labels, policy, unknownPercent), labels, sampleRate, clipSamples, replica,
                replicas, null);
    }

    /**
     * Which clips a run trains and validates on, before anything is read: the training list (in the order every
     * replica uses: a replica holds clip i when i mod replicas is its rank), the validation entries (silence among
     * them may be made from {@code noise}), the background noise and the data's description.
     */
    public record Plan(List<Clip> train, List<DataIndex.Entry> validation, BackgroundNoise noise, String description) {}

    /** The {@link Plan} of {@link #load}; throws, naming the word, when a target word has no training clip. */
    public static Plan plan(SpeechCommandsDataset dataset, List<SpeechCommandsDataset> extra, LabelSet labels,
                            SplitPolicy policy, double unknownPercent) throws IOException {
        List<Clip> train = new ArrayList<>();
        for (Clip c : dataset.clips()) if (policy.splitOf(c) == Split.TRAINING) train.add(c);
        StringBuilder description = new StringBuilder(dataset.root().getFileName() + " (" + policy.describe() + ")");
        for (SpeechCommandsDataset e : extra) {
            for (Clip c : e.clips()) if (!c.isSilence()) train.add(c);
            description.append(" + ").append(e.root().getFileName()).append(" (all to training)");
        }
        Set<String> trained = new HashSet<>();
        for (Clip c : train) trained.add(c.word());
        List<String> untrained = labels.words().stream().filter(w -> !trained.contains(w)).toList();
        if (!untrained.isEmpty()) {
            throw new IllegalArgumentException("no training clips of '" + String.join("', '", untrained) + "' in "
                    + description + ": all of them are held out for validation or testing");
        }
        DataIndex index = DataIndex.forTraining(dataset, labels, policy, unknownPercent);
        BackgroundNoise noise = dataset.backgroundNoiseFiles().isEmpty() ? null : BackgroundNoise.load(dataset);
        for (SpeechCommandsDataset e : extra) {
            // A folder of one's own words has no noise: an added set's (e.g. the spoken other words') stands in.
            if (noise != null) break;
            if (e.backgroundNoiseFiles().isEmpty()) continue;
            noise = BackgroundNoise.load(e);
            description.append(" (noise from ").append(e.root().getFileName()).append(")");
        }
        return new Plan(train, index.entries(Split.VALIDATION), noise, description.toString());
    }

    /**
     * Loads a {@link Plan}: this replica's shard of the training clips and the whole validation set, each clip's audio
     * read from its file, or, when {@code frames} is given, its MFCC frames taken from it (clean and unnormalized, as
     * {@link Example#frames()}; null for a clip it lacks, which stops the load naming the clip).
     */
    public static TrainingData load(Plan plan, LabelSet labels, int sampleRate, int clipSamples, int replica,
                                    int replicas, Function<Clip, float[]> frames) throws IOException {
        if (replicas < 1 || replica < 0 || replica >= replicas) {
            throw new IllegalArgumentException("replica " + replica + " of " + replicas);
        }
        List<Clip> train = plan.train();
        List<Clip> held = new ArrayList<>();
        for (int i = replica; i < train.size(); i += replicas) held.add(train.get(i));
        List<Example> read = read(held, labels, sampleRate, clipSamples, frames);
        List<Example> examples = new ArrayList<>(train.size());
        for (int i = 0; i < train.size(); i++) {
            Clip c = train.get(i);
            examples.add(i % replicas == replica ? read.get(i / replicas)
                    : new Example(c.relativePath(), c.file(), c.speaker(), labels.labelOf(c), null));
        }
        return new TrainingData(labels.labels(), examples,
                validation(plan.validation(), labels, plan.noise(), sampleRate, clipSamples, frames), plan.noise(),
                plan.description());
    }

    /** The validation set of {@code td} as {@code dataset info} says it: "36 entries (silence 3, unknown 3, words 30)". */
    public static String describe(TrainingData td) {
        int[] counts = new int[td.labels().size()];
        for (Example e : td.validation()) counts[e.label()]++;
        return DataIndex.describe(counts);
    }

    /** Seed of the validation set's silence made from noise: the same clips every run. */
    static final long VALIDATION_SILENCE_SEED = 0x5EED;

    /** The index entries read, the generated silence made from {@code noise} (seeded; the same every run). */
    static List<Example> validation(List<DataIndex.Entry> entries, LabelSet labels, BackgroundNoise noise, int sampleRate,
                                    int clipSamples, Function<Clip, float[]> frames) throws IOException {
        List<Clip> clips = new ArrayList<>();
        for (DataIndex.Entry e : entries) if (!e.generatedSilence()) clips.add(e.clip());
        List<Example> out = new ArrayList<>(read(clips, labels, sampleRate, clipSamples, frames));
        Augmenter silence = noise == null ? null : new Augmenter(noise, Augmenter.Settings.none());
        int k = 0;
        for (DataIndex.Entry e : entries) {
            if (!e.generatedSilence()) continue;
            float[] pcm = silence.silence(new SplittableRandom(VALIDATION_SILENCE_SEED + k));
            out.add(new Example(LabelSet.SILENCE + "/<made from noise " + k++ + ">", null, "", LabelSet.SILENCE_INDEX,
                    Example.quantize(pcm, clipSamples)));
        }
        return out;
    }

    /**
     * Decodes clips in parallel, or takes their frames from {@code frames} (when not null); a clip that cannot be read
     * stops the load with an error naming it.
     */
    static List<Example> read(List<Clip> clips, LabelSet labels, int sampleRate, int clipSamples,
                              Function<Clip, float[]> frames) throws IOException {
        if (frames != null) {
            List<Example> out = new ArrayList<>(clips.size());
            for (Clip c : clips) {
                float[] f = frames.apply(c);
                if (f == null) throw new IOException(c.file() + ": no MFCC frames of this clip were given");
                out.add(new Example(c.relativePath(), c.file(), c.speaker(), labels.labelOf(c), null, f));
            }
            return out;
        }
        try {
            return clips.parallelStream().map(c -> {
                try {
                    float[] pcm = WavReader.read(c.file(), sampleRate).samples();
                    return new Example(c.relativePath(), c.file(), c.speaker(), labels.labelOf(c),
                            Example.quantize(pcm, clipSamples));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
