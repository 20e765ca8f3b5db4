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
 * code 1; bad options exit 2.
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

    static int fail(String sub, Exception e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        System.err.println("earshot dataset " + sub + ": " + msg.replace('\n', ' '));
        return e instanceof IllegalArgumentException ? 2 : 1;
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
        public Integer call() {
            try {
                SpeechCommandsVersion v = SpeechCommandsVersion.parse(version);
                String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
                Path dir = new DatasetDownloader(System.err, keepArchive).download(URI.create(base + v.archiveName()),
                        sha256 == null ? v.sha256() : sha256, to, v.directoryName());
                System.out.println(dir);
                return 0;
            } catch (IOException | RuntimeException e) {
                return fail("download", e);
            }
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
        public Integer call() {
            try {
                List<String> w = words == null ? SpeechCommandsVersion.V0_02.words()
                        : EspeakSynthesizer.parseWords(String.join(",", words));
                int n = new EspeakSynthesizer("espeak-ng", System.err)
                        .synthesize(to, new EspeakSynthesizer.Options(w, voices, perWord, seed));
                System.out.println("wrote " + n + " clips to " + to);
                return 0;
            } catch (IOException | RuntimeException e) {
                return fail("synth", e);
            }
        }
    }

    /** {@code earshot dataset info DIR [--labels ...] [--seed S]}. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Summarize a dataset folder: clips per word, speakers, split sizes per label set.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "A Speech Commands-shaped folder.")
        Path dir;

        @Option(names = "--labels", description = "Label sets: standard12, all, all-v0.01 or word lists separated by ';' "
                + "(default: ${DEFAULT-VALUE}).")
        String labels = "standard12;all";

        @Option(names = "--seed", description = "Seed of the silence/unknown draw and the speaker split (default: ${DEFAULT-VALUE}).")
        long seed = dev.earshot.datasets.DataIndex.TENSORFLOW_SEED;

        @Override
        public Integer call() {
            try {
                SpeechCommandsDataset ds = SpeechCommandsDataset.open(dir);
                List<LabelSet> sets = new ArrayList<>();
                for (String spec : labels.split(";")) {
                    if (spec.isBlank()) continue;
                    if (spec.trim().equalsIgnoreCase("all")) {
                        SpeechCommandsVersion v = ds.guessVersion();
                        sets.add(LabelSet.allWords(v == null ? SpeechCommandsVersion.V0_02 : v));
                    } else {
                        sets.add(LabelSet.parse(spec));
                    }
                }
                System.out.print(DatasetSummary.describe(ds, sets, seed));
                return 0;
            } catch (IOException | RuntimeException e) {
                return fail("info", e);
            }
        }
    }
}
