package dev.earshot.app;

import dev.earshot.spark.SparkJobs;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where a Spark command runs: {@code --master} and {@code --conf K=V}, as spark-submit takes them. */
final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", description = "local[N], local-cluster[WORKERS,CORES,MB] (separate "
            + "executor JVMs on this machine), spark://HOST:PORT, yarn, k8s://…; not needed under spark-submit")
    String master;
    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark setting, e.g. spark.executor.memory=4g; "
            + "repeatable")
    Map<String, String> conf = new LinkedHashMap<>();

    /** Starts Spark; without Spark's jars on the class path, says how to run the command instead of failing deep inside. */
    SparkJobs connect(String appName) throws IOException {
        try {
            Class.forName("org.apache.spark.sql.SparkSession");
        } catch (ClassNotFoundException e) {
            throw new IOException("Spark is not on the class path: run the command as './earshot spark …' (it adds "
                    + "the Spark jars of the build), or submit it with spark-submit (see the README)");
        }
        for (String k : conf.keySet()) {
            if (!k.startsWith("spark.")) throw new IllegalArgumentException("--conf " + k + ": Spark settings start with 'spark.'");
        }
        return SparkJobs.connect(master, appName, conf);
    }
}
