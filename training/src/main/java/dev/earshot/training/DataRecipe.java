package dev.earshot.training;

import dev.earshot.datasets.BackgroundNoise;
import dev.earshot.datasets.Clip;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.NegativeAudio;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.SplitPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run's data comes from and how it is split, as plain values: the command line makes one from its options,
 * and every task of a data-parallel run on other machines loads the very same {@link TrainingData} from it (so the
 * folders must be on storage they all see).
 *
 * @param data           a Speech Commands-shaped folder, or a manifest file (TSV/CSV with path and label)
 * @param addData        folders whose clips all go to training
 * @param labels         12, 35 or a comma-separated word list ({@link LabelSet#parse})
 * @param unknownPercent unknown-word examples per command-word clip, in percent
 * @param negatives      folders of audio with none of the words (trained as unknown), read recursively
 * @param background     folders of background audio mixed under clips
 */
public record DataRecipe(String data, List<String> addData, String labels, SplitSpec split, double unknownPercent,
                         List<String> negatives, List<String> background, int sampleRate, int clipSamples)
        implements Serializable {
    public DataRecipe {
        addData = List.copyOf(addData);
        negatives = List.copyOf(negatives);
        background = List.copyOf(background);
    }

    /**
     * How the dataset is split into training and validation.
     *
     * @param how               auto (the dataset's lists, else TensorFlow's hash), lists, hash or speakers
     * @param validationList    a file of validation clips (word/file.wav per line), or null; it decides alone
     * @param validationPercent for speakers: the share of speakers held out
     * @param seed              for speakers: which are held out
     */
    public record SplitSpec(String how, String validationList, double validationPercent, long seed)
            implements Serializable {
        public SplitPolicy policy(SpeechCommandsDataset dataset) throws IOException {
            if (validationList != null) return DataLoader.validationList(Path.of(validationList));
            return switch (how) {
                case "lists" -> SplitPolicy.lists(dataset);
                // A word of one or two speakers (one's own enrolled words) would land wholly on one side: split by take.
                case "hash" -> SplitPolicy.takesWhereSpeakersFail(dataset, SplitPolicy.tensorflowHash(10, 10), 10);
                case "speakers" -> SplitPolicy.takesWhereSpeakersFail(dataset,
                        SplitPolicy.speakerHeldOut(dataset, validationPercent, 0, seed), validationPercent);
                case "auto" -> SplitPolicy.auto(dataset);
                default -> throw new IllegalArgumentException("split " + how + ": not auto, lists, hash or speakers");
            };
        }
    }

    /** Reads the clips, negatives and background; unreadable negative or background files are named on {@code warn}. */
    public TrainingData load(PrintStream warn) throws IOException {
        return load(warn, 0, 1);
    }

    /**
     * {@link #load(PrintStream)} for one replica of a data-parallel run: the audio of its shard of the training clips
     * only ({@link DataLoader#load(SpeechCommandsDataset, List, LabelSet, SplitPolicy, double, int, int, int, int)}).
     */
    public TrainingData load(PrintStream warn, int replica, int replicas) throws IOException {
        SpeechCommandsDataset dataset = SpeechCommandsDataset.openFolderOrManifest(Path.of(data));
        List<SpeechCommandsDataset> extra = new ArrayList<>();
        for (String p : addData) extra.add(SpeechCommandsDataset.open(Path.of(p)));
        TrainingData td = DataLoader.load(dataset, extra, LabelSet.parse(labels), split.policy(dataset), unknownPercent,
                sampleRate, clipSamples, replica, replicas);
        if (!negatives.isEmpty()) td = td.withNegatives(NegativeAudio.load(paths(negatives), sampleRate, 0, warn));
        if (!background.isEmpty()) {
            NegativeAudio bg = NegativeAudio.load(paths(background), sampleRate, clipSamples, warn);
            BackgroundNoise mine = BackgroundNoise.of(bg, clipSamples);
            td = td.withNoise(td.noise() == null ? mine : td.noise().with(mine), bg.description());
        }
        return td;
    }

    /**
     * The clips of a featurized table ({@link SpeechCommandsDataset#ofFeaturized}: its rows' paths, labels and
     * speakers) that this recipe's labels and split train and validate on. A table trains alone: with no added data,
     * negatives or background audio, which are audio.
     */
    public DataLoader.Plan plan(SpeechCommandsDataset table) throws IOException {
        if (!addData.isEmpty() || !negatives.isEmpty() || !background.isEmpty()) {
            throw new IllegalArgumentException("a table of MFCC frames trains alone: added data, negatives and "
                    + "background are audio");
        }
        return DataLoader.plan(table, List.of(), LabelSet.parse(labels), split.policy(table), unknownPercent);
    }

    /** Loads a table's {@link #plan} for one replica, each clip's frames given by {@code frames}. */
    public TrainingData load(DataLoader.Plan plan, java.util.function.Function<Clip, float[]> frames, int replica,
                             int replicas) throws IOException {
        return DataLoader.load(plan, LabelSet.parse(labels), sampleRate, clipSamples, replica, replicas, frames);
    }

    private static List<Path> paths(List<String> s) {
        return s.stream().map(Path::of).toList();
    }
}
