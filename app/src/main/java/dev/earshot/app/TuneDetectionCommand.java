package dev.earshot.app;

import dev.earshot.api.AtomicFile;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.ModelFile;
import dev.earshot.app.StreamingEval.NegativesRecipe;
import dev.earshot.app.StreamingEval.Recipe;
import dev.earshot.app.StreamingEval.Recorded;
import dev.earshot.app.StreamingEval.Stats;
import dev.earshot.app.StreamingEval.Truth;
import dev.earshot.datasets.NegativeAudio;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot tune-detection}: detection settings fitted to one model on generated tuning streams, and with
 * {@code --out} a copy of the model that carries them ({@link KeywordModel#detectionSettings()}), its weights
 * untouched. Each stream is run through the GRU once; every candidate setting is replayed from the recorded
 * posteriors. The score of a setting is the command words found with the right label, less
 * {@code --false-accept-cost} for every false positive, on the command streams and on a command-free stream (unknown
 * words only, louder noise) alike. With {@code --max-false-accepts-per-hour} only settings that keep the command-free
 * stream at or under that rate are candidates: a false-accept budget, as wake-word systems are specified, instead of
 * an exchange rate. With {@code --negatives} a command-free stream of real negative audio
 * ({@link StreamingEval#generateNegatives}) is one more command-free tuning stream: its false positives cost as the
 * others', and a budget applies to the false accepts of all command-free streams over their hours together. First the averaging window, suppression and one threshold are searched on a grid; then each
 * keyword's threshold in turn, twice over, if {@code --per-keyword}. Under a budget that search runs at several
 * prices on a command-free false accept ({@link #PRICES}) and the best setting seen within the budget wins.
 */
@Command(name = "tune-detection", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fit detection settings (averaging, suppression, thresholds) to a model on generated streams; "
                + "--out writes the model with them.")
public final class TuneDetectionCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "dataset whose clips and noise build the streams") Path data;
    @Option(names = "--list", paramLabel = "FILE",
            description = "use only the clips this file lists (word/file.wav per line)") Path list;
    @Option(names = "--split", defaultValue = "validation", paramLabel = "SPLIT",
            description = "clips of this split, without --list (default: ${DEFAULT-VALUE})") String split;
    @Option(names = "--seeds", defaultValue = "21,31", split = ",", paramLabel = "S",
            description = "seeds of the command streams (default: ${DEFAULT-VALUE})") List<Long> seeds;
    @Option(names = "--minutes", defaultValue = "30", paramLabel = "MIN",
            description = "length of each command stream (default: ${DEFAULT-VALUE})") double minutes;
    @Option(names = "--command-free-seed", defaultValue = "3", paramLabel = "S",
            description = "seed of the command-free stream (default: ${DEFAULT-VALUE})") long commandFreeSeed;
    @Option(names = "--command-free-minutes", defaultValue = "30", paramLabel = "MIN",
            description = "length of the command-free stream; 0: none (default: ${DEFAULT-VALUE})")
    double commandFreeMinutes;
    @Option(names = "--negatives", paramLabel = "DIR", description = "audio known to hold no command word (WAV files, "
            + "read recursively; repeatable): one more command-free stream is built from it") List<Path> negatives;
    @Option(names = "--background", paramLabel = "DIR", description = "music or ambience (WAV files longer than 1 s, "
            + "read recursively; repeatable) mixed under the negatives stream half the time, instead of the dataset's noise")
    List<Path> background;
    @Option(names = "--negatives-minutes", defaultValue = "30", paramLabel = "MIN",
            description = "length of the negatives stream (default: ${DEFAULT-VALUE})") double negativesMinutes;
    @Option(names = "--negatives-seed", defaultValue = "4", paramLabel = "S",
            description = "seed of the negatives stream (default: ${DEFAULT-VALUE})") long negativesSeed;
    @Option(names = "--false-accept-cost", defaultValue = "1", paramLabel = "C",
            description = "words a false positive is worth (default: ${DEFAULT-VALUE})") double cost;
    @Option(names = "--max-false-accepts-per-hour", paramLabel = "N", description = "only settings whose command-free "
            + "streams (generated and --negatives, together) make at most N false accepts per hour (needs one)")
    Double maxFalseAcceptsPerHour;
    @Option(names = "--per-keyword", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "fit a threshold per keyword after the global search (default: yes)") boolean perKeyword;
    @Option(names = "--tolerance-ms", defaultValue = "750", paramLabel = "MS",
            description = "how far a detection may be from its word (default: ${DEFAULT-VALUE})") int toleranceMs;
    @Option(names = "--lowest-threshold", defaultValue = "0.45", paramLabel = "T",
            description = "the lowest threshold searched, a multiple of 0.05 (default: ${DEFAULT-VALUE}); models trained "
                    + "with many negatives are less sure of every word and may need lower ones") double lowestThreshold;
    @Option(names = "--out", paramLabel = "FILE", description = "write the model with the tuned settings here") Path out;
    @Option(names = "--json", description = "print one JSON object as the last line") boolean json;

    static final int[] AVERAGES_MS = {250, 500, 750, 1000};
    static final int[] SUPPRESSIONS_MS = {1000, 1500, 2000};

    /**
     * Prices, in words, of one false accept on the command-free stream, at which a fit under
     * {@code --max-false-accepts-per-hour} searches (0: the plain search).
     */
    static final double[] PRICES = {0, 0.5, 1, 2, 4, 8, 16};

    /**
     * A setting scored on the tuning streams: words found less the cost of false positives, and the command-free
     * stream's false accepts per hour (0 without one); {@code order} is when it was first scored, to break ties.
     */
    private record Scored(DetectionSettings settings, double score, double commandFreeRate, int order) {}

    /** A tuning stream, and whether it is command-free (its false accepts count against a budget). */
    private record Tuning(Recorded stream, boolean commandFree) {}

    @Override
    public Integer call() throws Exception {
        if (!(cost >= 0)) throw new IllegalArgumentException("--false-accept-cost must be >= 0");
        long l100 = Math.round(lowestThreshold * 100);
        if (!(lowestThreshold >= 0.05 && lowestThreshold <= 0.95) || l100 % 5 != 0 || Math.abs(l100 - lowestThreshold * 100) > 1e-6)
            throw new IllegalArgumentException("--lowest-threshold must be a multiple of 0.05 in [0.05, 0.95], not " + lowestThreshold);
        if (maxFalseAcceptsPerHour != null && !(maxFalseAcceptsPerHour >= 0))
            throw new IllegalArgumentException("--max-false-accepts-per-hour must be >= 0");
        if (maxFalseAcceptsPerHour != null && !(commandFreeMinutes > 0) && negatives == null)
            throw new IllegalArgumentException("--max-false-accepts-per-hour needs a command-free stream (--command-free-minutes > 0 or --negatives)");
        if (negatives != null && !(negativesMinutes > 0)) throw new IllegalArgumentException("--negatives-minutes must be > 0");
        if (background != null && negatives == null) throw new IllegalArgumentException("--background needs --negatives");
        Options.inputFolder("--data", data);
        Options.inputFile("--list", list);
        Options.oneOf("--split", split, EvalCommand.SPLITS);
        Options.positive("--minutes", minutes);
        if (minutes * 60_000 <= 2000) throw new IllegalArgumentException("--minutes " + minutes + " is too short for a word "
                + "(the first starts 1 s in and lasts 1 s)");
        Options.nonNegative("--command-free-minutes", commandFreeMinutes);
        Options.atLeast("--tolerance-ms", toleranceMs, 0);
        for (Path p : negatives == null ? List.<Path>of() : negatives) Options.inputFolder("--negatives", p);
        for (Path p : background == null ? List.<Path>of() : background) Options.inputFolder("--background", p);
        Options.outputFile("--out", out);
        byte[] bytes = modelBytes(model.spec);
        try (KeywordModel m = KeywordModel.load(new java.io.ByteArrayInputStream(bytes), model.spec)) {
            DetectionSettings before = m.detectionSettings();
            Recipe recipe = new Recipe(data, list, split, minutes, 2000, 30, 0.1, 0);
            List<Tuning> streams = new ArrayList<>();
            for (long seed : seeds) streams.add(tuning(m, "seed " + seed, recipe.with(seed, minutes, 30, 2000, 0.1), before));
            if (commandFreeMinutes > 0) {
                try {
                    streams.add(tuning(m, "command-free seed " + commandFreeSeed,
                            recipe.with(commandFreeSeed, commandFreeMinutes, 100, 4000, 0.3), before));
                } catch (StreamingEval.NoUnknownWordsException e) {
                    // One's own enrolled words: no other words to make this stream of; --negatives stands in.
                    if (negatives == null) {
                        throw new IllegalArgumentException(e.getMessage() + ", and no --negatives are given: give "
                                + "--negatives DIR (recordings that must not set the model off: speech, TV, the room), "
                                + "or --command-free-minutes 0 to fit on the words alone");
                    }
                    System.err.println("note: " + data + " holds no other words: the command-free stream is the "
                            + "--negatives stream alone");
                }
            }
            String negativesTuned = "";
            if (negatives != null) {
                NegativeAudio neg = StreamingEval.loadNegatives("--negatives", negatives, m.sampleRate(), 0);
                NegativeAudio bg = background == null ? null
                        : StreamingEval.loadNegatives("--background", background, m.sampleRate(), m.sampleRate());
                List<Truth> truth = new ArrayList<>();
                float[] pcm = StreamingEval.generateNegatives(m, new NegativesRecipe(data, neg, bg, negativesMinutes, 0.3,
                        negativesSeed), truth);
                String name = "negatives " + neg.description() + " seed " + negativesSeed;
                streams.add(new Tuning(new Recorded(name, truth, StreamingEval.record(m, pcm, before, new ArrayList<>())), true));
                negativesTuned = String.format(Locale.ROOT, "; negatives %s, seed %d, %.0f min%s", neg.description(),
                        negativesSeed, negativesMinutes, bg == null ? "" : ", over background " + bg.description());
            }
            Map<DetectionSettings, Scored> seen = new java.util.HashMap<>();
            Scored mine = evaluate(m, streams, before, seen);
            DetectionSettings best;
            double bestScore;
            if (maxFalseAcceptsPerHour == null) {
                best = search(m, streams, before, 0, seen);
                bestScore = seen.get(best).score();
            } else {
                // A hard budget inside a greedy search hands it out in search order (the first keywords tried take
                // it). Searching at several prices on a command-free false accept instead lets budget move to the
                // keywords where it finds the most words; of every setting scored on the way, the best that keeps
                // to the budget wins. The pool does not depend on the budget, so a looser one never scores less.
                for (double price : PRICES) search(m, streams, before, price, seen);
                Scored pick = null;
                for (Scored c : seen.values()) {
                    if (c.commandFreeRate() <= maxFalseAcceptsPerHour && (pick == null || c.score() > pick.score()
                            || c.score() == pick.score() && c.order() < pick.order())) {
                        pick = c;
                    }
                }
                if (pick == null) {
                    double fewest = seen.values().stream().mapToDouble(Scored::commandFreeRate).min().orElse(Double.NaN);
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: no setting searched keeps the "
                            + "command-free stream at or under %s false accepts per hour (the fewest: %.1f)",
                            model.spec, maxFalseAcceptsPerHour, fewest));
                }
                best = pick.settings();
                bestScore = pick.score();
            }
            double beforeScore = maxFalseAcceptsPerHour == null || mine.commandFreeRate() <= maxFalseAcceptsPerHour
                    ? mine.score() : Double.NEGATIVE_INFINITY;
            report("the model's settings", m, streams, before, beforeScore);
            report("tuned", m, streams, best, bestScore);
            if (out != null) {
                Map<String, String> prov = new LinkedHashMap<>();
                m.provenance().forEach((k, v) -> {
                    if (!k.startsWith(DetectionSettings.KEY_PREFIX) && !k.equals("detection_tuned_on")) prov.put(k, v);
                });
                prov.putAll(best.toProvenance());
                prov.put("detection_tuned_on", String.format(Locale.ROOT,
                        "%s%s: command streams of seeds %s, %.0f min each; command-free seed %d, %.0f min; "
                                + "%sfalse accept cost %s%s", data.getFileName(), list == null ? " (" + split + ")"
                                : " (" + list.getFileName() + ")", seeds, minutes, commandFreeSeed, commandFreeMinutes,
                        negativesTuned.isEmpty() ? "" : negativesTuned.substring(2) + "; ",
                        cost, maxFalseAcceptsPerHour == null ? ""
                                : "; at most " + maxFalseAcceptsPerHour + " false accepts per hour command-free")
                        + (lowestThreshold == 0.45 ? "" : "; thresholds from " + lowestThreshold));
                byte[] tuned = ModelFile.withProvenance(bytes, prov, model.spec);
                AtomicFile.write(out, o -> o.write(tuned));
                System.err.println("wrote " + out);
            }
            if (json) {
                System.out.printf(Locale.ROOT, "{\"average_ms\":%d,\"suppression_ms\":%d,\"threshold\":%.2f,\"thresholds\":{%s},"
                                + "\"score\":%.2f,\"score_before\":%s,\"command_free_false_accepts_per_hour\":%s}%n",
                        best.averageWindowMs(), best.suppressionMs(), best.threshold(), StreamingEval.thresholdsJson(best),
                        bestScore, beforeScore == Double.NEGATIVE_INFINITY ? "null" : String.format(Locale.ROOT, "%.2f", beforeScore),
                        hasCommandFree() ? String.format(Locale.ROOT, "%.2f", seen.get(best).commandFreeRate()) : "null");
            }
        }
        return 0;
    }

    private Tuning tuning(KeywordModel m, String name, Recipe r, DetectionSettings s) throws IOException {
        List<Truth> truth = new ArrayList<>();
        float[] pcm = StreamingEval.generate(m, r, truth);
        return new Tuning(new Recorded(name, truth, StreamingEval.record(m, pcm, s, new ArrayList<>())),
                r.unknownPercent() >= 100);
    }

    /** Whether there is a command-free stream: the generated one or the negatives. */
    private boolean hasCommandFree() {
        return commandFreeMinutes > 0 || negatives != null;
    }

    /** The threshold grid: --lowest-threshold … 0.95 in steps of 0.05, each the float nearest its decimal. */
    private float[] thresholds() {
        int from = (int) Math.round(lowestThreshold * 100);
        float[] t = new float[(95 - from) / 5 + 1];
        for (int i = 0; i < t.length; i++) t[i] = (from + 5 * i) / 100f;
        return t;
    }

    private static DetectionSettings with(DetectionSettings s, Map<String, Float> perKeyword) {
        return new DetectionSettings(s.averageWindowMs(), s.threshold(), perKeyword, s.suppressionMs(), s.minimumCount(),
                s.windowStrideMs());
    }

    /** TensorFlow's statistics of stream {@code t} replayed under {@code s}. */
    private Stats stats(KeywordModel m, Tuning t, DetectionSettings s) {
        Recorded r = t.stream();
        return StreamingEval.score(r.truth(), StreamingEval.replay(m, r.recording(), s), toleranceMs, r.recording().hours(), m);
    }

    /**
     * The averaging window, suppression and one threshold for every keyword on a grid, then each keyword's
     * threshold in turn, twice over (a change to one moves what suits the others), from {@code start}: the
     * setting with the highest score less {@code price} per false accept on the command-free stream.
     */
    private DetectionSettings search(KeywordModel m, List<Tuning> streams, DetectionSettings start, double price,
                                     Map<DetectionSettings, Scored> seen) {
        double hours = 0;  // of the command-free streams together: rate x hours is their false accepts
        for (Tuning t : streams) if (t.commandFree()) hours += t.stream().recording().hours();
        double commandFreeHours = hours;
        java.util.function.ToDoubleFunction<DetectionSettings> value = s -> {
            Scored c = evaluate(m, streams, s, seen);
            return c.score() - price * c.commandFreeRate() * commandFreeHours;
        };
        DetectionSettings best = start;
        double bestValue = value.applyAsDouble(start);
        for (int avg : AVERAGES_MS) {
            for (int supp : SUPPRESSIONS_MS) {
                for (float th : thresholds()) {
                    DetectionSettings s = new DetectionSettings(avg, th, Map.of(), supp, start.minimumCount(),
                            start.windowStrideMs());
                    double v = value.applyAsDouble(s);
                    if (v > bestValue) {
                        bestValue = v;
                        best = s;
                    }
                }
            }
        }
        if (!perKeyword) return best;
        Map<String, Float> per = new TreeMap<>();
        for (String l : m.labels()) if (m.isKeyword(l)) per.put(l, best.thresholdFor(l));
        for (int pass = 0; pass < 2; pass++) {
            for (String kw : per.keySet()) {
                for (float th : thresholds()) {
                    Map<String, Float> trial = new TreeMap<>(per);
                    trial.put(kw, th);
                    DetectionSettings s = with(best, trial);
                    double v = value.applyAsDouble(s);
                    if (v > bestValue) {
                        bestValue = v;
                        per.put(kw, th);
                        best = s;
                    }
                }
            }
        }
        return best;
    }

    /** {@code s} scored on every stream, once: later calls for an equal setting read {@code seen}. */
    private Scored evaluate(KeywordModel m, List<Tuning> streams, DetectionSettings s, Map<DetectionSettings, Scored> seen) {
        Scored known = seen.get(s);
        if (known != null) return known;
        double v = 0, hours = 0;
        int falseAccepts = 0;
        for (Tuning t : streams) {
            Stats st = stats(m, t, s);
            v += st.correct() - cost * st.falsePositives();
            if (t.commandFree()) {
                falseAccepts += st.falsePositives();
                hours += st.hours();
            }
        }
        Scored c = new Scored(s, v, hours == 0 ? 0 : falseAccepts / hours, seen.size());
        seen.put(s, c);
        return c;
    }

    private void report(String what, KeywordModel m, List<Tuning> streams, DetectionSettings s, double score) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%s: averaging %d ms, suppression %d ms, threshold %.2f%s; score %s", what, s.averageWindowMs(),
                s.suppressionMs(), s.threshold(), s.thresholds().isEmpty() ? "" : ", per keyword " + new TreeMap<>(s.thresholds()),
                score == Double.NEGATIVE_INFINITY ? "over the false-accept budget" : String.format(Locale.ROOT, "%.1f", score)));
        for (Tuning t : streams) {
            Stats st = stats(m, t, s);
            b.append(String.format(Locale.ROOT, "%n  %s: correct %.1f%%, false positives %.1f%%, %.1f false accepts per hour",
                    t.stream().name(), st.pct(st.correct()), st.pct(st.falsePositives()), st.falseAcceptsPerHour()));
        }
        System.out.println(b);
    }

    /** The model file's bytes: a path, {@code classpath:/…}, or a bundled model's name. */
    static byte[] modelBytes(String spec) throws IOException {
        String resource = KeywordModel.resourceOf(spec);
        if (resource == null) {
            Path p = Path.of(spec);
            if (!Files.isRegularFile(p)) throw new NoSuchFileException(spec, null, "no such model file");
            if (Files.size(p) > ModelFile.MAX_BYTES) throw new IOException(spec + ": larger than " + ModelFile.MAX_BYTES + " bytes: not a model file");
            return Files.readAllBytes(p);
        }
        try (InputStream in = KeywordModel.class.getResourceAsStream(resource)) {
            if (in == null) throw new NoSuchFileException(resource, null, "no such resource on the class path");
            return in.readNBytes((int) ModelFile.MAX_BYTES + 1);
        }
    }
}
