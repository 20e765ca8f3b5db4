package dev.earshot.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code earshot} command line. Each subcommand lives in a class of its own. */
@Command(name = "earshot", mixinStandardHelpOptions = true, version = "earshot 0.1.0",
        description = "Speech-command recognition on the JVM.",
        subcommands = {
                BenchCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                EvalStreamCommand.class,
                RecognizeCommand.class,
                ListenCommand.class,
                FeaturesCommand.class,
                DatasetCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
