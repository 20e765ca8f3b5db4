package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.Prediction;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code earshot recognize}: the top label and its confidence for each clip. */
@Command(name = "recognize", mixinStandardHelpOptions = true,
        description = {"Print the top label and confidence for each WAV clip.",
                "The model hears one clip (1 s) at a time: a longer file is scanned in one-clip windows every tenth of "
                        + "a clip, and the window most confident in a command word speaks for the file (its line says "
                        + "which window, and of how many); --all prints every window's line instead.",
                "A clip that cannot be read gets a one-line error naming it, and the exit code is 1."})
public final class RecognizeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--top", defaultValue = "1", paramLabel = "N", description = "labels to print per clip (default: ${DEFAULT-VALUE})")
    int top;
    @Option(names = "--all", description = "a file longer than one clip: a line per one-clip window, 'FILE@START s:', "
            + "instead of the most confident window's")
    boolean all;
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "WAV files")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        Options.atLeast("--top", top, 1);
        int failed = 0;
        try (KeywordModel m = model.open()) {
            for (Path f : files) {
                try {
                    float[] pcm = WavReader.read(f, m.sampleRate()).samples();
                    int clip = m.clipSamples(), hop = Math.max(1, clip / 10);  // as KeywordModel.classify scans
                    int windows = pcm.length <= clip ? 1 : 1 + (pcm.length - clip + hop - 1) / hop;
                    if (windows == 1) {
                        System.out.println(line(f.toString(), m.classify(pcm)));
                        continue;
                    }
                    int best = 0;
                    float bestKeyword = -1;
                    List<Prediction> bestP = null;
                    StringBuilder lines = new StringBuilder();
                    for (int w = 0; w < windows; w++) {
                        int start = Math.min(w * hop, pcm.length - clip);
                        List<Prediction> p = m.classify(Arrays.copyOfRange(pcm, start, start + clip));
                        for (Prediction x : p) {
                            if (m.isKeyword(x.label()) && x.confidence() > bestKeyword) {
                                bestKeyword = x.confidence();
                                best = w;
                                bestP = p;
                            }
                        }
                        if (all) {
                            lines.append(line(String.format(Locale.ROOT, "%s@%.2f s", f, start / (double) m.sampleRate()), p))
                                    .append(System.lineSeparator());
                        }
                    }
                    if (all) {
                        System.out.print(lines);
                    } else {
                        int start = Math.min(best * hop, pcm.length - clip);
                        System.out.println(line(f.toString(), bestP != null ? bestP : m.classify(pcm)) + String.format(Locale.ROOT,
                                " (the most confident of %d one-clip windows: %.2f-%.2f s of %.2f s)", windows,
                                start / (double) m.sampleRate(), (start + clip) / (double) m.sampleRate(),
                                pcm.length / (double) m.sampleRate()));
                    }
                } catch (IOException e) {
                    System.err.println("earshot recognize: " + message(f, e));
                    failed++;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** "NAME: label confidence ..." with the top {@code --top} labels. */
    private String line(String name, List<Prediction> p) {
        StringBuilder line = new StringBuilder(name).append(':');
        for (int i = 0; i < Math.min(top, p.size()); i++) {
            line.append(String.format(Locale.ROOT, " %s %.3f", p.get(i).label(), p.get(i).confidence()));
        }
        return line.toString();
    }

    /** One line that names the file, whatever the exception's own message says. */
    static String message(Path f, IOException e) {
        String m = Main.describe(e);
        return m.contains(f.toString()) ? m : f + ": " + m;
    }
}
