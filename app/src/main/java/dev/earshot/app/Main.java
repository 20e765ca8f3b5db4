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
                TuneDetectionCommand.class,
                RecognizeCommand.class,
                ListenCommand.class,
                FeaturesCommand.class,
                DatasetCommand.class,
                EnrollCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with Earshot's error policy: a failure is one line on stderr that names the file and the
     * problem (exit 1), never a stack trace; {@code EARSHOT_DEBUG=1} prints the trace too.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": " + describe(e));
            if (System.getenv("EARSHOT_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }

    static String describe(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": " + (n.getReason() == null ? "no such file" : n.getReason());
        }
        if (e instanceof java.nio.file.AccessDeniedException a) return a.getFile() + ": permission denied";
        if (e instanceof java.io.UncheckedIOException u) return describe(u.getCause());
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
