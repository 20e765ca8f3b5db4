package dev.earshot.app;

import picocli.CommandLine.Command;

/** {@code earshot bench …}: speed measurements. Each target is a subcommand of its own. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: print the median time per call and the throughput.",
        subcommands = {
                BenchMfccCommand.class,
                BenchGruCommand.class,
                BenchTrainCommand.class,
                BenchStreamCommand.class,
                BenchSoakCommand.class,
                BenchServeCommand.class,
                BenchJmhCommand.class,
        })
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
