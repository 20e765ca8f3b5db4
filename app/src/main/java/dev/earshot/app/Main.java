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
                SparkCommand.class,
                ServeCommand.class,
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
     * The command line with Earshot's error policy: a failure is one line on stderr, {@code earshot <command>: }
     * and what went wrong (naming the file, option or host), never a stack trace; {@code EARSHOT_DEBUG=1} prints
     * the trace too. A bad option value or a missing option (the parser's, or {@link Options}' checks) exits 2
     * with a pointer to the command's help instead of the whole usage; a failure while working exits 1.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(prefix(cmd) + describe(e));
            if (System.getenv("EARSHOT_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            java.io.PrintWriter err = cmd.getErr();
            StringBuilder line = new StringBuilder(prefix(cmd)).append(ex.getMessage());
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
            }
            err.println(line.append("; see '").append(qualified(cmd)).append(" --help'"));
            if (System.getenv("EARSHOT_DEBUG") != null) ex.printStackTrace(err);
            err.flush();
            return 2;
        });
        return cl;
    }

    /** "earshot train" for the train command (also for a command line made apart from the root). */
    static String qualified(CommandLine cmd) {
        String name = cmd.getCommandSpec().qualifiedName();
        return name.equals("earshot") || name.startsWith("earshot ") ? name : "earshot " + name;
    }

    private static String prefix(CommandLine cmd) {
        return qualified(cmd) + ": ";
    }

    /** One line on what went wrong: the message, or for the exceptions that carry none, what they mean. */
    static String describe(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": " + (n.getReason() == null ? "no such file or folder" : n.getReason());
        }
        if (e instanceof java.nio.file.AccessDeniedException a) return a.getFile() + ": permission denied";
        if (e instanceof java.nio.file.FileAlreadyExistsException a) {
            return a.getFile() + ": " + (a.getReason() == null ? "already exists (and is not a folder)" : a.getReason());
        }
        if (e instanceof java.nio.file.NotDirectoryException n) return n.getFile() + ": not a folder";
        if (e instanceof java.nio.file.DirectoryNotEmptyException n) return n.getFile() + ": the folder is not empty";
        if (e instanceof java.nio.file.FileSystemException f) {
            String reason = f.getReason() == null ? "cannot be used" : f.getReason();
            return (f.getFile() == null ? "" : f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": ")
                    + reason;
        }
        if (e instanceof java.io.UncheckedIOException u) return describe(u.getCause());
        if (e instanceof OutOfMemoryError) {
            return "out of memory (give the JVM more with EARSHOT_JAVA_OPTS=-Xmx…)";
        }
        String m = e.getMessage();
        if (m != null && !m.isBlank()) return m.replace('\n', ' ');
        if (e.getCause() != null && e.getCause() != e) return describe(e.getCause());
        return "failed (" + e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT)
                + "; EARSHOT_DEBUG=1 shows where)";
    }
}
