package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.ModelFile;
import dev.earshot.datasets.Manifest;
import dev.earshot.spark.SparkJobs;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code earshot spark recognize}: the top label of every file of a manifest, on Spark. */
@Command(name = "recognize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify every file a manifest lists, on Spark, as 'earshot recognize' does one by one.",
                "Writes a folder of part files (csv with a header, or parquet) with the columns path, label, "
                        + "confidence, top (the --top labels as label:confidence) and error: a file that cannot be "
                        + "read gets a row with the reason instead of failing the job. Each part keeps the manifest's "
                        + "order."})
final class SparkRecognizeCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--manifest", required = true, paramLabel = "FILE",
            description = "a TSV or CSV file whose header names a 'path' column (relative paths are relative to it)")
    Path manifest;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "a new folder for the results")
    String out;
    @Option(names = "--format", defaultValue = "csv", paramLabel = "FORMAT", description = "csv or parquet (default: ${DEFAULT-VALUE})")
    String format;
    @Option(names = "--top", defaultValue = "3", paramLabel = "N", description = "labels in the top column (default: ${DEFAULT-VALUE})")
    int top;
    @Option(names = "--partitions", paramLabel = "N", description = "parts to split the files into (default: 4 per core of the cluster)")
    Integer partitions;
    @picocli.CommandLine.Mixin
    SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
        Options.inputFile("--manifest", manifest);
        Options.oneOf("--format", format, "csv", "parquet");
        Options.atLeast("--top", top, 1);
        if (partitions != null) Options.atLeast("--partitions", partitions, 1);
        SparkOptions.newOutputFolder(out);
        List<String> paths = Manifest.read(manifest).stream().map(Manifest.Entry::path).toList();
        byte[] bytes;
        try (KeywordModel m = model.open()) {
            bytes = ModelFile.encode(m.contents());
        }
        try (SparkJobs jobs = spark.connect("earshot recognize")) {
            long t0 = System.nanoTime();
            int parts = partitions != null ? partitions : 4 * jobs.defaultParallelism();
            SparkJobs.Written w = jobs.recognize(bytes, paths, top, parts, out, format);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.println(SparkOptions.written(w, out, format, Math.min(parts, paths.size()), s));
        }
        return 0;
    }
}
