package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JMH benchmarks live in their own module (bench/, its own jar): JMH and what it pulls in are not on the
 * command line's class path, and {@code earshot bench jmh} runs the benchmarks' jar in a JVM of its own.
 */
class BenchJmhCommandTest {
    /** commons-math3, which JMH uses too, is not checked: Spark brings it onto this test class path (test scope). */
    @Test
    void jmhIsNotOnTheCommandLinesClassPath() {
        for (String c : List.of("org.openjdk.jmh.runner.Runner", "org.openjdk.jmh.annotations.Benchmark",
                "joptsimple.OptionParser")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(c), c + " is on the app's class path");
        }
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            assertFalse(name.startsWith("jmh-") || name.startsWith("jopt-simple"), entry);
        }
    }

    /** The options become JMH's own, for the benchmarks' jar run with the same java. */
    @Test
    void runsTheBenchmarksJarWithJmhsOptions() {
        BenchJmhCommand c = new BenchJmhCommand();
        c.include = "GruBenchmark.streamStep";
        c.quick = true;
        c.params = List.of("threads=1,2", "hidden=64");
        Path jar = Path.of("/x/bench/target/earshot-bench.jar");
        List<String> cmd = c.command(jar);
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.get(0));
        assertEquals(List.of("-jar", jar.toString(), "GruBenchmark.streamStep", "-jvmArgsAppend", "-Xmx2g", "-wi", "1",
                "-i", "3", "-p", "threads=1,2", "-p", "hidden=64"), cmd.subList(1, cmd.size()));
    }

    @Test
    void saysHowToBuildTheBenchmarksWhenTheirJarIsMissing(@TempDir Path dir) {
        String old = System.getProperty(BenchJmhCommand.JAR_PROPERTY);
        System.setProperty(BenchJmhCommand.JAR_PROPERTY, dir.resolve("earshot-bench.jar").toString());
        try {
            TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run("bench", "jmh", "--quick");
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("earshot bench jmh: the JMH benchmarks are not built (no "
                    + dir.resolve("earshot-bench.jar") + "); build them with"), r.err());
            assertTrue(r.err().contains("mvn -B -DskipTests -pl bench -am package"), r.err());
        } finally {
            if (old == null) System.clearProperty(BenchJmhCommand.JAR_PROPERTY);
            else System.setProperty(BenchJmhCommand.JAR_PROPERTY, old);
        }
        TrainEvalRecognizeTest.Run bad = TrainEvalRecognizeTest.run("bench", "jmh", "--param", "threads");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().startsWith("earshot bench jmh: --param threads: want NAME=V1,V2"), bad.err());
    }
}
