package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.Prediction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code earshot recognize}: the top label and its confidence for each clip. */
@Command(name = "recognize", mixinStandardHelpOptions = true,
        description = {"Print the top label and confidence for each WAV clip.",
                "A clip that cannot be read gets a one-line error naming it, and the exit code is 1."})
public final class RecognizeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--top", defaultValue = "1", description = "labels to print per clip (default: ${DEFAULT-VALUE})")
    int top;
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "WAV files")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        int failed = 0;
        try (KeywordModel m = model.open()) {
            for (Path f : files) {
                try {
                    List<Prediction> p = m.classify(f);
                    StringBuilder line = new StringBuilder(f.toString()).append(':');
                    for (int i = 0; i < Math.min(Math.max(1, top), p.size()); i++) {
                        line.append(String.format(Locale.ROOT, " %s %.3f", p.get(i).label(), p.get(i).confidence()));
                    }
                    System.out.println(line);
                } catch (IOException e) {
                    System.err.println("earshot recognize: " + message(f, e));
                    failed++;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** One line that names the file, whatever the exception's own message says. */
    static String message(Path f, IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) m = "no such file";
        else if (e instanceof java.nio.file.AccessDeniedException) m = "permission denied";
        return m.contains(f.toString()) ? m : f + ": " + m;
    }
}
