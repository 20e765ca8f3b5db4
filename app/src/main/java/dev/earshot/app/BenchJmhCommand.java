package dev.earshot.app;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code earshot bench jmh [REGEX]}: runs the JMH benchmarks. They are a module of their own (bench/, built into
 * bench/target/earshot-bench.jar with its lib/ beside it), so JMH and its dependencies are not on the command
 * line's class path: this starts that jar in a JVM of its own, with JMH's options for the ones given here.
 */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = {"Run the JMH benchmarks (all, or those matching REGEX, e.g. GruBenchmark.trainStep).",
                "They are built into bench/target/earshot-bench.jar beside app/ (the launcher builds them); "
                        + "that jar also runs on its own: java -jar bench/target/earshot-bench.jar -h"})
public final class BenchJmhCommand implements Callable<Integer> {
    /** Where the benchmarks' jar is, when not beside the app's build (bench/target/earshot-bench.jar). */
    static final String JAR_PROPERTY = "earshot.bench.jar";

    @Parameters(arity = "0..1", paramLabel = "REGEX", defaultValue = "dev\\.earshot\\.bench\\..*")
    String include;
    @Option(names = "--quick", description = "1 warm-up and 3 measurement iterations (default: the benchmark's own)")
    boolean quick;
    @Option(names = {"-p", "--param"}, description = "JMH parameter override, NAME=V1,V2 (e.g. threads=1,2)")
    List<String> params = new ArrayList<>();
    @Option(names = "--list", description = "list the benchmarks that REGEX matches and exit")
    boolean list;

    @Override
    public Integer call() throws Exception {
        for (String p : params) {
            if (p.indexOf('=') < 1) throw new IllegalArgumentException("--param " + p + ": want NAME=V1,V2");
        }
        Path jar = benchJar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the JMH benchmarks are not built (no " + jar + "); build them with "
                    + "`mvn -B -DskipTests -pl bench -am package` in the checkout (./earshot builds them too)");
        }
        return new ProcessBuilder(command(jar)).inheritIO().start().waitFor();
    }

    /** The benchmarks' JVM: this one's java, the jar (JMH's main), then JMH's options. */
    List<String> command(Path jar) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), include, "-jvmArgsAppend", "-Xmx2g"));
        if (quick) cmd.addAll(List.of("-wi", "1", "-i", "3"));
        for (String p : params) cmd.addAll(List.of("-p", p));
        if (list) cmd.add("-l");
        return cmd;
    }

    /** bench/target/earshot-bench.jar of the checkout this command runs from (app/target/earshot.jar or classes). */
    static Path benchJar() throws URISyntaxException {
        String given = System.getProperty(JAR_PROPERTY);
        if (given != null) return Path.of(given);
        Path here = Path.of(BenchJmhCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path checkout = here.toAbsolutePath().getParent().getParent().getParent();  // <checkout>/app/target/<here>
        return checkout.resolve("bench").resolve("target").resolve("earshot-bench.jar");
    }
}
