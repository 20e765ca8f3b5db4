package dev.earshot.app.train;

import dev.earshot.audio.WavReader;
import dev.earshot.datasets.BackgroundNoise;
import dev.earshot.datasets.Clip;
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
     * @param extra datasets whose clips all go to training (e.g. espeak-ng speech from {@code dataset synth});
     *              their background noise is not used
     */
    public static TrainingData load(SpeechCommandsDataset dataset, List<SpeechCommandsDataset> extra, LabelSet labels,
                                    SplitPolicy policy, int sampleRate, int clipSamples) throws IOException {
        List<Clip> train = new ArrayList<>(), val = new ArrayList<>();
        for (Clip c : dataset.clips()) {
            Split s = policy.splitOf(c);
            if (s == Split.TRAINING) train.add(c);
            else if (s == Split.VALIDATION) val.add(c);
        }
        StringBuilder description = new StringBuilder(dataset.root().getFileName() + " (" + policy.describe() + ")");
        for (SpeechCommandsDataset e : extra) {
            for (Clip c : e.clips()) if (!c.isSilence()) train.add(c);
            description.append(" + ").append(e.root().getFileName()).append(" (all to training)");
        }
        BackgroundNoise noise = dataset.backgroundNoiseFiles().isEmpty() ? null : BackgroundNoise.load(dataset);
        return new TrainingData(labels.labels(), read(train, labels, sampleRate, clipSamples),
                read(val, labels, sampleRate, clipSamples), noise, description.toString());
    }

    /** Decodes clips in parallel; a clip that cannot be read stops the load with an error naming it. */
    static List<Example> read(List<Clip> clips, LabelSet labels, int sampleRate, int clipSamples) throws IOException {
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
