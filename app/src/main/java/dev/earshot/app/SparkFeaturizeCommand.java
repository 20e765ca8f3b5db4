package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.datasets.Clip;
import dev.earshot.datasets.Manifest;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.spark.SparkJobs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code earshot spark featurize}: the MFCC frames of every file of a manifest or dataset, as a Parquet table. */
@Command(name = "featurize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compute the MFCC frames of every file of a manifest or a Speech Commands-shaped folder on "
                + "Spark, as training computes them (decoded, resampled, cut or padded to one clip).",
                "Writes a Parquet table with the columns path, label, speaker, frames, coefficients, features "
                        + "(frames x coefficients floats, row-major) and error (a file that cannot be read gets a row "
                        + "with the reason). With --model, the model's settings and normalization: the frames it is fed."})
final class SparkFeaturizeCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--manifest", paramLabel = "FILE", description = "a TSV or CSV file whose header names a 'path' "
            + "column, and 'label' and 'speaker' where known")
    Path manifest;
    @Option(names = "--data", paramLabel = "DIR", description = "a Speech Commands-shaped folder instead (every clip, "
            + "labelled by its folder)")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "a new folder for the table")
    String out;
    @Option(names = "--model", paramLabel = "MODEL", description = "take the feature settings and normalization of "
            + "this model (default, windows or a .earshot file) instead of the feature options")
    String model;
    @Option(names = "--clip-ms", paramLabel = "MS", description = "clip length (default: the model's, else 1000)")
    Double clipMs;
    @picocli.CommandLine.Mixin
    FeatureOptions features = new FeatureOptions();
    @Option(names = "--partitions", paramLabel = "N", description = "parts to split the files into (default: 4 per core of the cluster)")
    Integer partitions;
    @picocli.CommandLine.Mixin
    SparkOptions spark = new SparkOptions();
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((manifest == null) == (data == null)) throw new IllegalArgumentException("give --manifest FILE or --data DIR (one of them)");
        if (manifest != null) Options.inputFile("--manifest", manifest);
        if (data != null) Options.inputFolder("--data", data);
        if (clipMs != null) Options.positive("--clip-ms", clipMs);
        if (partitions != null) Options.atLeast("--partitions", partitions, 1);
        SparkOptions.newOutputFolder(out);
        FeatureSettings fs;
        int clipSamples;
        if (model != null) {
            for (String o : new String[] {"--win-ms", "--hop-ms", "--mels", "--mfcc"}) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new IllegalArgumentException(o + " comes with --model's settings; leave it out");
                }
            }
            try (KeywordModel m = KeywordModel.open(model)) {
                fs = m.features();
                clipSamples = m.clipSamples();
            }
        } else {
            fs = features.settings();
            clipSamples = fs.sampleRate();
        }
        if (clipMs != null) clipSamples = (int) Math.round(clipMs * fs.sampleRate() / 1000);
        List<String[]> items = new ArrayList<>();
        if (manifest != null) {
            for (Manifest.Entry e : Manifest.read(manifest)) items.add(new String[] {e.path(), e.label(), e.speaker()});
        } else {
            for (Clip c : SpeechCommandsDataset.open(data).clips()) {
                items.add(new String[] {c.file().toAbsolutePath().toString(), c.word(), c.speaker()});
            }
        }
        try (SparkJobs jobs = spark.connect("earshot featurize")) {
            long t0 = System.nanoTime();
            int parts = partitions != null ? partitions : 4 * jobs.defaultParallelism();
            SparkJobs.Written w = jobs.featurize(items, fs.toMap(), clipSamples, parts, out);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.println(SparkOptions.written(w, out, "parquet", Math.min(parts, items.size()), s));
        }
        return 0;
    }
}
