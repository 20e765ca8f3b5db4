package dev.earshot.app;

import picocli.CommandLine.Command;

/** {@code earshot spark}: the jobs of the command line on Apache Spark, for corpora beyond one machine. */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = {"Featurize, recognize and train on Apache Spark: local[N] or local-cluster[…] to try a job on this machine, "
                + "spark://… (or spark-submit) to run it on a cluster. Paths must be readable by every executor.",
                "Run as './earshot spark …', which puts the Spark jars of the build on the class path."},
        subcommands = {SparkFeaturizeCommand.class, SparkRecognizeCommand.class, SparkTrainCommand.class,
                SparkBenchCommand.class})
public final class SparkCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
