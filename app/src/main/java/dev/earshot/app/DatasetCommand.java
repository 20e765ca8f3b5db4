package dev.earshot.app;

import dev.earshot.datasets.DatasetDownloader;
import dev.earshot.datasets.DatasetSummary;
import dev.earshot.datasets.EspeakSynthesizer;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.SpeechCommandsVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code earshot dataset download|synth|info}: fetch the official Speech Commands archive, make a synthetic set
 * with espeak-ng, or summarize a dataset directory. Errors are one line on stderr naming the file or URL, exit
 * code 1; bad options exit 2 ({@link Main#commandLine()}).
 */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Speech Commands datasets: download, synthesize, summarize.",
        subcommands = {DatasetCommand.Download.class, DatasetCommand.Synth.class, DatasetCommand.Info.class})
public final class DatasetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code earshot dataset download [--version v0.02] [--to DIR]}. */
    @Command(name = "download",
            description = {"Download the official Speech Commands archive, verify its SHA-256 and unpack it to DIR/speech_commands_vX.",
                    "Resumes a partial download; progress goes to stderr; prints the dataset folder."})
    static final class Download implements Callable<Integer> {
        // No standard help mixin here: its --version would clash with the dataset version option.
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--version", description = "v0.01 or v0.02 (default: ${DEFAULT-VALUE}).")
        String version = "v0.02";

        @Option(names = "--to", description = "Folder to put the dataset in (default: ${DEFAULT-VALUE}).")
        Path to = Path.of("data");

        @Option(names = "--base-url", description = "Where the archive is served (default: ${DEFAULT-VALUE}).")
        String baseUrl = SpeechCommandsVersion.OFFICIAL_BASE_URL;

        @Option(names = "--sha256", description = "Expected SHA-256 of the archive (default: the official one of the version).")
        String sha256;

        @Option(names = "--keep-archive", description = "Keep the .tar.gz after unpacking.")
        boolean keepArchive;

        @Override
        public Integer call() throws IOException {
            SpeechCommandsVersion v;
            try {
                v = SpeechCommandsVersion.parse(version);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--version must be v0.01 or v0.02, not '" + version + "'");
            }
            String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
            URI url;
            try {
                url = URI.create(base + v.archiveName());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--base-url " + baseUrl + ": not a URL");
            }
            if (!"https".equalsIgnoreCase(url.getScheme()) && !"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("--base-url " + baseUrl + ": want an https:// (or http://) URL");
            }
            if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("--sha256 must be 64 hexadecimal digits, not '" + sha256 + "'");
            }
            if (java.nio.file.Files.exists(to) && !java.nio.file.Files.isDirectory(to)) {
                throw new IllegalArgumentException("--to " + to + ": a file is there; give a new or existing folder");
            }
            Path dir = new DatasetDownloader(System.err, Terminal.live(System.err), keepArchive).download(url, sha256 == null ? v.sha256() : sha256,
                    to, v.directoryName());
            System.out.println(dir);
            return 0;
        }
    }

    /** {@code earshot dataset synth --to DIR [--words ...] [--voices N] [--per-word N] [--seed S]}. */
    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Write a Speech Commands-shaped set spoken by espeak-ng voices: <word>/<voicekey>_nohash_<n>.wav,",
                    "16 kHz mono 16-bit, 1 s, plus _background_noise_/ (white and pink noise)."})
    static final class Synth implements Callable<Integer> {
        @Option(names = "--to", required = true, description = "Output folder.")
        Path to;

        @Option(names = "--words", split = ",", description = "Words to speak (default: the 35 words of v0.02).")
        List<String> words;

        @Option(names = "--voices", description = "Voices (speakers) (default: ${DEFAULT-VALUE}).")
        int voices = 8;

        @Option(names = "--per-word", description = "Clips per word and voice (default: ${DEFAULT-VALUE}).")
        int perWord = 3;

        @Option(names = "--seed", description = "Seed of voices, rates, pitches, placement (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Override
        public Integer call() throws IOException {
            if (java.nio.file.Files.exists(to) && !java.nio.file.Files.isDirectory(to)) {
                throw new IllegalArgumentException("--to " + to + ": a file is there, not a folder; give a new folder "
                        + "(or an existing one, whose clips of the same names are replaced)");
            }
            Options.atLeast("--voices", voices, 1);
            Options.atLeast("--per-word", perWord, 1);
            List<String> w = words == null ? SpeechCommandsVersion.V0_02.words()
                    : EspeakSynthesizer.parseWords(String.join(",", words));
            if (w.isEmpty()) throw new IllegalArgumentException("--words names no word");
            int n = new EspeakSynthesizer("espeak-ng", System.err)
                    .synthesize(to, new EspeakSynthesizer.Options(w, voices, perWord, seed));
            System.out.println("wrote " + n + " clips to " + to);
            return 0;
        }
    }

    /** {@code earshot dataset info DIR [--labels ...] [--split ...] [--unknown-percent P]}. */
    @Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Summarize a dataset folder: clips per word, speakers, and per label set the entries of each split.",
                    "With the --split, --validation-list and --unknown-percent given to train, its validation line is the "
                            + "validation set train scores every epoch on (silence and unknown words at the shares training draws)."})
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A Speech Commands-shaped folder.")
        Path dir;

        @Option(names = "--labels", paramLabel = "SETS", description = "Label sets: standard12 (or 12), all, all-v0.01 or "
                + "word lists, separated by ';' (default: ${DEFAULT-VALUE}).")
        String labels = "standard12;all";

        @CommandLine.Mixin
        SplitOptions split = new SplitOptions();

        @Option(names = "--unknown-percent", paramLabel = "P", description = "Unknown-word entries per split, as a "
                + "percentage of its command-word clips, as train's option (default: ${DEFAULT-VALUE}).")
        double unknownPercent = 10;

        @Option(names = "--seed", paramLabel = "S", description = "Seed of the silence and unknown draws (default: "
                + "${DEFAULT-VALUE}, the one train uses).")
        long seed = dev.earshot.datasets.DataIndex.TENSORFLOW_SEED;

        @Override
        public Integer call() throws IOException {
            split.check();
            Options.inRange("--unknown-percent", unknownPercent, 0, 1000);
            Options.inputFolder("DIR", dir);
            List<String> specs = new ArrayList<>();
            for (String spec : labels.split(";")) {
                if (spec.isBlank()) continue;
                specs.add(spec.trim());
                if (!spec.trim().equalsIgnoreCase("all")) TrainCommand.labelSet("--labels", spec);  // refused before reading
            }
            SpeechCommandsDataset ds = SpeechCommandsDataset.open(dir);
            List<LabelSet> sets = new ArrayList<>();
            for (String spec : specs) {
                if (spec.equalsIgnoreCase("all")) {  // every word of the release the folder's words fit
                    SpeechCommandsVersion v = ds.guessVersion();
                    sets.add(LabelSet.allWords(v == null ? SpeechCommandsVersion.V0_02 : v));
                } else {
                    sets.add(TrainCommand.labelSet("--labels", spec));
                }
            }
            System.out.print(DatasetSummary.describe(ds, sets, split.policy(ds), unknownPercent, seed));
            return 0;
        }
    }
}
