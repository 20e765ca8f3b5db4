package dev.earshot.app;

import dev.earshot.training.DataRecipe;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.SplitPolicy;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a dataset is split into training and validation: the options of {@code train} and {@code dataset info}, in
 * one place, so that {@code dataset info} with the options given to {@code train} describes the very split (and
 * validation set) that {@code train} uses.
 */
final class SplitOptions {
    static final String[] HOWS = {"auto", "lists", "hash", "speakers"};

    @Option(names = "--split", defaultValue = "auto", paramLabel = "HOW",
            description = "auto (the dataset's lists, else TensorFlow's hash), lists, hash, speakers (held out by "
                    + "speaker); with hash or speakers, a word they would leave with no training or no validation "
                    + "clip (one person's enrolled word) is split by take, one in ten to validation "
                    + "(default: ${DEFAULT-VALUE})")
    String split = "auto";
    @Option(names = "--validation-list", paramLabel = "FILE",
            description = "file of validation clips (word/file.wav per line); the rest trains")
    Path validationList;
    @Option(names = "--validation-percent", defaultValue = "10", paramLabel = "P",
            description = "for --split speakers: the share of speakers held out (default: ${DEFAULT-VALUE})")
    double validationPercent = 10;
    @Option(names = "--split-seed", defaultValue = "0", paramLabel = "S",
            description = "for --split speakers: which speakers are held out (default: ${DEFAULT-VALUE})")
    long splitSeed;

    /** Refuses values no split can be made from, before any data is read. */
    void check() {
        Options.oneOf("--split", split, HOWS);
        if (validationList != null && !split.equals("auto")) {
            throw new IllegalArgumentException("--validation-list decides the split itself: leave out --split " + split);
        }
        Options.inputFile("--validation-list", validationList);
        if (!(validationPercent > 0 && validationPercent < 100)) {
            throw new IllegalArgumentException("--validation-percent must be above 0 and below 100, not " + validationPercent);
        }
    }

    /** The split these options give, as the training library takes it. */
    DataRecipe.SplitSpec spec() {
        check();
        return new DataRecipe.SplitSpec(split, validationList == null ? null : validationList.toAbsolutePath().toString(),
                validationPercent, splitSeed);
    }

    /** The split policy of {@code dataset}. */
    SplitPolicy policy(SpeechCommandsDataset dataset) throws IOException {
        return spec().policy(dataset);
    }
}
