package dev.earshot.app;

import dev.earshot.audio.AudioClip;
import dev.earshot.audio.VoiceActivity;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Enrollment;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code earshot enroll WORD --to DIR}: recordings of your own word, as a Speech Commands-shaped folder that
 * {@code train --data DIR} reads. Prompts for each take through the microphone, or splits a long recording
 * ({@code --input}) at its pauses; each take is trimmed to the word and refused with the reason when it is
 * clipped, silent, too quiet, too long or holds more than one utterance.
 */
@Command(name = "enroll", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Record your own word (or split a recording of it) into DIR/<word>/<speaker>_nohash_<n>.wav, "
                + "ready for 'earshot train --data DIR'. Run it again for more words or more speakers."})
public final class EnrollCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WORD", description = "the word or phrase (\"smart mirror\" is written as smart_mirror)")
    String word;
    @Option(names = "--to", required = true, paramLabel = "DIR", description = "the dataset folder to add the takes to")
    Path to;
    @Option(names = "--count", paramLabel = "N", description = "takes to keep (default: 20 from the microphone; "
            + "every utterance of --input)")
    Integer count;
    @Option(names = "--speaker", paramLabel = "NAME", description = "who speaks, letters and digits (default: your "
            + "user name); files of one speaker are held out together when training validates by speaker")
    String speaker;
    @Option(names = "--input", paramLabel = "FILE", description = "a WAV recording of the word said several times, "
            + "with pauses, instead of the microphone")
    Path input;
    @Option(names = "--device", description = "capture device (a name, or part of one, from 'listen --list-devices')")
    String device;
    @Option(names = "--take-seconds", paramLabel = "S", defaultValue = "2",
            description = "how long each prompt records (default: ${DEFAULT-VALUE})")
    double takeSeconds;

    static final int RATE = 16000, CLIP = 16000;

    @Override
    public Integer call() throws Exception {
        picocli.CommandLine cl = new picocli.CommandLine(this);
        if (count != null && count < 1) throw new picocli.CommandLine.ParameterException(cl, "--count must be at least 1, not " + count);
        if (!(takeSeconds >= 1.2 && takeSeconds <= 10)) {
            throw new picocli.CommandLine.ParameterException(cl, "--take-seconds must be in [1.2, 10], not " + takeSeconds);
        }
        if (input != null && device != null) throw new picocli.CommandLine.ParameterException(cl, "--device and --input exclude each other");
        String who = speaker != null ? speaker : defaultSpeaker();
        Enrollment e;
        try {
            e = new Enrollment(to, word, who, RATE, CLIP);
        } catch (IllegalArgumentException bad) {
            throw new picocli.CommandLine.ParameterException(cl, bad.getMessage()
                    + (speaker == null && bad.getMessage().startsWith("speaker") ? "; give --speaker NAME" : ""));
        }
        if (Files.exists(to) && !Files.isDirectory(to)) throw new picocli.CommandLine.ParameterException(cl, "--to " + to + " is not a folder");
        return input != null ? fromFile(e) : fromMicrophone(e, count == null ? 20 : count);
    }

    /** The user name as a speaker id: its letters and digits, or "me". */
    static String defaultSpeaker() {
        String s = System.getProperty("user.name", "").replaceAll("[^\\p{L}\\p{N}]", "");
        return s.isEmpty() ? "me" : s;
    }

    private int fromFile(Enrollment e) throws Exception {
        AudioClip clip = WavReader.read(input, RATE);
        float[] pcm = clip.samples();
        List<VoiceActivity.Utterance> us = VoiceActivity.find(pcm, RATE);
        PrintStream out = System.out;
        if (us.isEmpty()) {
            System.err.println("earshot enroll: " + input + ": no utterance found (the loudest stretches are not 15 dB "
                    + "above the recording's quietest)");
            return 1;
        }
        int kept = 0;
        for (VoiceActivity.Utterance u : us) {
            if (count != null && kept == count) break;
            Enrollment.Take t = e.judge(pcm, u);
            String at = String.format(Locale.ROOT, "%s %.2f-%.2f s", input.getFileName(), u.start() / (double) RATE,
                    u.end() / (double) RATE);
            if (t.accepted()) {
                out.println(at + ": kept as " + e.write(t));
                kept++;
            } else {
                out.println(at + ": refused, " + t.refusal());
            }
        }
        out.printf(Locale.ROOT, "%d of %d utterances kept in %s%n", kept, us.size(), e.folder());
        return kept > 0 ? 0 : 1;
    }

    private int fromMicrophone(Enrollment e, int want) throws Exception {
        PrintStream out = System.out;
        int takeSamples = (int) Math.round(takeSeconds * RATE);
        float[] take = new float[takeSamples];
        int kept = 0, tries = 0, maxTries = 3 * want;
        Microphone opened;
        try {
            opened = Microphone.open(device, RATE);
        } catch (IllegalStateException none) {
            throw new IllegalStateException(none.getMessage() + "; try --input FILE.wav, or 'earshot listen --list-devices'");
        }
        try (Microphone mic = opened) {
            out.printf(Locale.ROOT, "recording from %s: say \"%s\" once after each prompt (%.1f s each); Ctrl-C stops, "
                    + "the takes kept so far stay%n", mic.description(), word, takeSeconds);
            while (kept < want && tries < maxTries) {
                tries++;
                out.printf(Locale.ROOT, "take %d of %d: say \"%s\" now%n", kept + 1, want, word);
                out.flush();
                int n = mic.read(take, takeSamples);
                if (n < takeSamples) {
                    System.err.println("earshot enroll: the capture device stopped delivering audio after take " + kept);
                    break;
                }
                Enrollment.Take t = e.judge(take);
                out.println("  " + levelBar(t.peakDb()) + (t.accepted() ? "  kept as " + e.write(t) : "  refused: " + t.refusal()));
                if (t.accepted()) kept++;
            }
        }
        out.printf(Locale.ROOT, "%d take(s) kept in %s%s%n", kept, e.folder(),
                kept < want && tries >= maxTries ? " (stopped after " + tries + " tries)" : "");
        return kept == want ? 0 : 1;
    }

    /** The take's loudest 10 ms as a bar from -60 to 0 dBFS, e.g. {@code [########......] -18 dBFS}. */
    static String levelBar(double peakDb) {
        int width = 20, full = (int) Math.round(Math.max(0, Math.min(1, (peakDb + 60) / 60)) * width);
        return "[" + "#".repeat(full) + ".".repeat(width - full) + String.format(Locale.ROOT, "] %4.0f dBFS", peakDb);
    }
}
