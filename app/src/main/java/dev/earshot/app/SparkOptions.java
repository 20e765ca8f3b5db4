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

    /** A job's --out must be a new folder (a URI is left to the job, which refuses one that exists). */
    static void newOutputFolder(String out) {
        if (!out.contains("://") && java.nio.file.Files.exists(java.nio.file.Path.of(out))) {
            throw new IllegalArgumentException("--out " + out + ": exists; give a new folder");
        }
    }

    /** The line a finished job prints: rows, where, how fast, and how many files could not be read. */
    static String written(SparkJobs.Written w, String out, String format, int parts, double seconds) {
        return String.format(java.util.Locale.ROOT, "wrote %d rows to %s (%s, %d parts) in %.1f s, %.0f files/s%s", w.rows(),
                out, format, parts, seconds, w.rows() / seconds,
                w.errors() == 0 ? "" : "; " + w.errors() + " files could not be read (their rows say why)");
    }
}
