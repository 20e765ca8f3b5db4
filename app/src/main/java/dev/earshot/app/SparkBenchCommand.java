package dev.earshot.app;

import dev.earshot.spark.AllReduceBench;
import dev.earshot.spark.SparkJobs;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code earshot spark bench}: what data-parallel training's gradient exchange costs on a cluster. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the ring all-reduce between the tasks of a barrier stage, as 'spark train' runs it each "
                + "step: the median and 90th percentile per sum of --floats floats (default: the bundled default "
                + "model's parameters) over all ranks, and the ring's set-up."})
final class SparkBenchCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--workers", paramLabel = "N", description = "tasks (default: the cluster's cores)")
    Integer workers;
    @Option(names = "--floats", paramLabel = "N", description = "vector length (default: the default model's parameters + 2)")
    Integer floats;
    @Option(names = "--rounds", defaultValue = "100", paramLabel = "N", description = "timed sums (default: ${DEFAULT-VALUE})")
    int rounds;
    @picocli.CommandLine.Mixin
    SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
        if (workers != null) Options.atLeast("--workers", workers, 2);
        if (floats != null) Options.atLeast("--floats", floats, 1);
        Options.atLeast("--rounds", rounds, 1);
        int n = floats != null ? floats : defaultModelFloats();
        try (SparkJobs jobs = spark.connect("earshot spark bench")) {
            int w = jobs.awaitSlots(workers, 120_000);
            AllReduceBench.Times t = jobs.allReduceBench(w, n, 10, rounds);
            double mb = n * 4 / 1e6;
            System.out.printf(Locale.ROOT, "ring all-reduce of %d floats (%.2f MB) between %d tasks: median %.2f ms, "
                            + "90th percentile %.2f ms per sum (%d sums on each; %.2f GB/s of vector per rank); ring set-up %.0f ms%n",
                    n, mb, w, t.median(), t.percentile(0.9), rounds, mb / t.median(), t.setupMillis());
        }
        return 0;
    }

    /** What a step of training the default model sums: its parameters, the loss and the right answers. */
    private static int defaultModelFloats() throws java.io.IOException {
        try (dev.earshot.api.KeywordModel m = dev.earshot.api.KeywordModel.bundled()) {
            return (int) m.architecture().parameterCount() + 2;
        }
    }
}
