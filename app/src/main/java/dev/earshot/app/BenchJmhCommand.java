package dev.earshot.app;

import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code earshot bench jmh [REGEX]}: runs the JMH benchmarks compiled into the app (dev.earshot.app.jmh). */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = "Run the JMH benchmarks (all, or those matching REGEX, e.g. GruBenchmark.trainStep).")
public final class BenchJmhCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "REGEX", defaultValue = "dev\\.earshot\\.app\\.jmh\\..*")
    String include;
    @Option(names = "--quick", description = "1 warm-up and 3 measurement iterations (default: the benchmark's own)")
    boolean quick;
    @Option(names = {"-p", "--param"}, description = "JMH parameter override, NAME=V1,V2 (e.g. threads=1,2)")
    java.util.List<String> params = new java.util.ArrayList<>();

    @Override
    public Integer call() throws RunnerException {
        ChainedOptionsBuilder b = new OptionsBuilder().include(include)
                .jvmArgsAppend("-Xmx2g");
        if (quick) b.warmupIterations(1).measurementIterations(3);
        for (String p : params) {
            int eq = p.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("--param " + p + ": want NAME=V1,V2");
            b.param(p.substring(0, eq), p.substring(eq + 1).split(","));
        }
        new Runner(b.build()).run();
        return 0;
    }
}
