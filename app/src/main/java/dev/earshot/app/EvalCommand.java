package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.training.Trainer;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Clip;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.Split;
import dev.earshot.datasets.SplitPolicy;
import dev.earshot.gru.GruTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot eval}: scores a model on a Speech Commands-shaped folder. Every clip of the chosen split
 * counts: words outside the model's labels as {@code _unknown_}, the {@code _silence_} folder as
 * {@code _silence_}; {@code _background_noise_} and files that are not clips are never scored.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Accuracy, per-class accuracy and the confusion matrix of a model on a dataset split.")
public final class EvalCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--data", required = true, description = "a Speech Commands-shaped folder")
    Path data;
    @Option(names = "--split", defaultValue = "all",
            description = "training, validation, testing (the dataset's lists, else TensorFlow's hash) or all (default)")
    String split;
    static final String[] SPLITS = {"training", "validation", "testing", "all"};
    @Option(names = "--list", description = "score only the clips this file lists (word/file.wav per line)")
    Path list;
    @Option(names = "--json", description = "print one JSON object as the last line")
    boolean json;

    /** The outcome of scoring: labels, confusion counts (rows true, columns predicted). */
    public record Score(List<String> labels, int[][] confusion) {
        public long total() {
            long n = 0;
            for (int[] r : confusion) for (int v : r) n += v;
            return n;
        }

        public double accuracy() {
            return Trainer.accuracy(confusion);
        }

        public double classAccuracy(int k) {
            long n = 0;
            for (int v : confusion[k]) n += v;
            return n == 0 ? Double.NaN : confusion[k][k] / (double) n;
        }
    }

    @Override
    public Integer call() throws Exception {
        Options.inputFolder("--data", data);
        Options.oneOf("--split", split, SPLITS);
        Options.inputFile("--list", list);
        if (list != null && !split.equals("all")) {
            throw new IllegalArgumentException("--list chooses the clips itself: leave out --split " + split);
        }
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(data);
        List<Clip> clips = new ArrayList<>();
        String what;  // the clips chosen, for a message when none can be scored
        if (list != null) {
            java.util.Set<String> wanted = dev.earshot.training.DataLoader.readClipList(list);
            for (Clip c : ds.clips()) if (wanted.contains(c.relativePath())) clips.add(c);
            if (clips.size() != wanted.size() && !clips.isEmpty()) {
                System.err.println("earshot eval: " + list + " lists " + wanted.size() + " clips, " + clips.size()
                        + " of them are in " + data);
            }
            what = "none of the clips " + list + " lists is in " + data;
        } else if (split.equals("all")) {
            clips.addAll(ds.clips());
            what = data + " has no clips this model can score";
        } else {
            Split want = Split.parse(split);
            SplitPolicy policy = SplitPolicy.auto(ds);
            for (Clip c : ds.clips()) if (policy.splitOf(c) == want) clips.add(c);
            what = "the " + split + " split of " + data + " (" + policy.describe() + ") holds no clips; "
                    + "--split all scores every clip";
        }
        try (KeywordModel m = model.open()) {
            if (clips.stream().noneMatch(c -> truth(m, c) >= 0)) throw new IllegalArgumentException(what);
            Score s = score(m, clips);
            print(s);
        }
        return 0;
    }

    /** The class a clip counts as for {@code m}, or -1 when the model has no class for it. */
    static int truth(KeywordModel m, Clip c) {
        List<String> labels = m.labels();
        if (c.isSilence()) return labels.indexOf(KeywordModel.SILENCE);
        return m.isKeyword(c.word()) ? labels.indexOf(c.word()) : labels.indexOf(KeywordModel.UNKNOWN);
    }

    /** Scores clips in batches on the model's GRU (two threads). Unreadable clips stop it with their name. */
    public static Score score(KeywordModel m, List<Clip> clips) throws IOException {
        int C = m.labels().size(), T = m.clipFrames(), F = m.mfcc().coefficients();
        int[][] cm = new int[C][C];
        List<Clip> scored = new ArrayList<>();
        for (Clip c : clips) if (truth(m, c) >= 0) scored.add(c);
        int batch = 256;
        try (GruTrainer t = new GruTrainer(m.gru())) {
            for (int from = 0; from < scored.size(); from += batch) {
                List<Clip> part = scored.subList(from, Math.min(scored.size(), from + batch));
                float[] x = new float[part.size() * T * F];
                try {
                    java.util.stream.IntStream.range(0, part.size()).parallel().forEach(i -> {
                        try {
                            float[] pcm = WavReader.read(part.get(i).file(), m.sampleRate()).samples();
                            System.arraycopy(m.clipFeatures(pcm), 0, x, i * T * F, T * F);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                float[] logits = new float[part.size() * C];
                t.infer(x, part.size(), T, logits);
                for (int i = 0; i < part.size(); i++) cm[truth(m, part.get(i))][Trainer.argmax(logits, i * C, C)]++;
            }
        }
        return new Score(m.labels(), cm);
    }

    private void print(Score s) {
        List<String> labels = s.labels();
        System.out.printf(Locale.ROOT, "accuracy %.4f on %d clips (%s, split %s)%n", s.accuracy(), s.total(), data, split);
        int w = 2 + labels.stream().mapToInt(String::length).max().orElse(8);
        System.out.printf(Locale.ROOT, "%-" + w + "s %8s %6s%n", "label", "accuracy", "clips");
        for (int k = 0; k < labels.size(); k++) {
            long n = 0;
            for (int v : s.confusion()[k]) n += v;
            System.out.printf(Locale.ROOT, "%-" + w + "s %8s %6d%n", labels.get(k),
                    n == 0 ? "-" : String.format(Locale.ROOT, "%.4f", s.classAccuracy(k)), n);
        }
        System.out.println("confusion (rows: true label, columns: predicted, in label order)");
        for (int k = 0; k < labels.size(); k++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + w + "s", labels.get(k)));
            for (int v : s.confusion()[k]) row.append(String.format(Locale.ROOT, " %4d", v));
            System.out.println(row);
        }
        if (json) {
            StringBuilder b = new StringBuilder("{\"accuracy\":").append(Stats.num(s.accuracy()));
            b.append(",\"n\":").append(s.total()).append(",\"per_class\":{");
            for (int k = 0; k < labels.size(); k++) {
                if (k > 0) b.append(',');
                b.append(Stats.quote(labels.get(k))).append(':').append(Stats.num(s.classAccuracy(k)));
            }
            b.append("},\"labels\":[");
            for (int k = 0; k < labels.size(); k++) b.append(k > 0 ? "," : "").append(Stats.quote(labels.get(k)));
            b.append("],\"confusion\":[");
            for (int k = 0; k < labels.size(); k++) {
                b.append(k > 0 ? ",[" : "[");
                int[] r = s.confusion()[k];
                for (int j = 0; j < r.length; j++) b.append(j > 0 ? "," : "").append(r[j]);
                b.append(']');
            }
            System.out.println(b.append("]}"));
        }
    }
}
