package dev.earshot.app;

import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.api.SpotterListener;
import dev.earshot.audio.AudioClip;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.sound.sampled.Mixer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot listen}: live keyword spotting from the microphone (Java Sound), or from a WAV file played
 * as if it were the microphone. Shows a bar per keyword with its current score and each detection with its
 * time; {@code --json} prints one JSON object per detection instead.
 */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Listen to the microphone (or --input FILE) and show the commands heard.")
public final class ListenCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--device", description = "capture device (a name, or part of one, from --list-devices)")
    String device;
    @Option(names = "--list-devices", description = "list the capture devices and exit")
    boolean listDevices;
    @Option(names = "--threshold", description = "one detection threshold in (0, 1] for every keyword (default: the model's tuned ones)")
    Float threshold;
    @Option(names = "--input", description = "stream this WAV file instead of the microphone")
    Path input;
    @Option(names = "--fast", description = "with --input: as fast as possible instead of in real time")
    boolean fast;
    @Option(names = "--json", description = "one JSON object per detection: {\"label\":…, \"confidence\":…, \"time_ms\":…}")
    boolean json;
    @Option(names = "--seconds", description = "stop after this much audio (default: until the input ends or Ctrl-C)")
    Double seconds;

    private static final int CHUNK_MS = 10;

    @Override
    public Integer call() throws Exception {
        if (seconds != null && !(seconds > 0)) {
            throw new IllegalArgumentException("--seconds must be a number of seconds > 0, not " + seconds);
        }
        if (listDevices) {
            List<Mixer.Info> devices = Microphone.captureDevices();
            if (devices.isEmpty()) System.out.println("no capture devices");
            for (Mixer.Info i : devices) System.out.println(i.getName() + " — " + i.getDescription());
            return 0;
        }
        try (KeywordModel m = model.open()) {
            DetectionSettings ds = m.detectionSettings();
            if (threshold != null) ds = ds.withThreshold(threshold);
            Display display = new Display(m, System.out, json);
            Thread clearOnExit = display.clearOnExit();
            try {
                if (input == null) return streamMicrophone(m, display);
                try (Spotter spotter = new Spotter(m, ds, display)) {
                    return streamFile(m, spotter, display);
                }
            } finally {
                display.finish();
                display.dropClearOnExit(clearOnExit);
            }
        }
    }

    private int streamFile(KeywordModel m, Spotter spotter, Display display) throws IOException, InterruptedException {
        AudioClip clip = WavReader.read(input, m.sampleRate());
        float[] pcm = clip.samples();
        int chunk = m.sampleRate() * CHUNK_MS / 1000;
        long limit = seconds == null ? pcm.length : Math.min(pcm.length, (long) (seconds * m.sampleRate()));
        long start = System.nanoTime();
        for (int i = 0; i < limit; i += chunk) {
            int n = (int) Math.min(chunk, limit - i);
            spotter.accept(pcm, i, n);
            display.redraw(spotter.timeMs());
            if (!fast) {
                long due = start + (long) ((i + n) * 1e9 / m.sampleRate());
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        return 0;
    }

    private int streamMicrophone(KeywordModel m, Display display) {
        Microphone opened;
        try {
            opened = Microphone.open(device, m.sampleRate());
        } catch (IllegalStateException e) {
            System.err.println("earshot listen: " + e.getMessage() + "; try --input FILE.wav to stream a file, or "
                    + "--list-devices");
            return 2;
        }
        DetectionSettings ds = m.detectionSettings();
        if (threshold != null) ds = ds.withThreshold(threshold);
        int rate = m.sampleRate(), chunk = rate * CHUNK_MS / 1000;
        float[] pcm = new float[chunk];
        long limit = seconds == null ? Long.MAX_VALUE : (long) (seconds * rate);
        long read = 0;
        boolean ended = false;
        try (Microphone mic = opened; Spotter spotter = new Spotter(m, ds, display)) {
            if (!json) System.err.println("listening on " + mic.description() + "; Ctrl-C to stop");
            while (read < limit) {
                int want = (int) Math.min(chunk, limit - read);
                int n = mic.read(pcm, want);
                ended = n < want;
                read += n;
                spotter.accept(pcm, 0, n);
                display.redraw(spotter.timeMs());
                if (ended) break;
            }
        }
        display.finish();
        if (ended) {
            System.err.printf(Locale.ROOT, "earshot listen: the capture device delivered no more audio after %.2f s; "
                    + "stopped%n", read / (double) rate);
        }
        return 0;
    }

    /** Bars per keyword, redrawn in place on a terminal; detections as lines (or JSON). */
    static final class Display implements SpotterListener {
        private final KeywordModel m;
        private final PrintStream out;
        private final boolean json;
        private final boolean live;
        private final float[] scores;
        private long lastDraw;
        private boolean drawn, finished;

        Display(KeywordModel m, PrintStream out, boolean json) {
            this.m = m;
            this.out = out;
            this.json = json;
            this.live = !json && Terminal.live(out);
            this.scores = new float[m.labels().size()];
        }

        @Override
        public synchronized void onDetection(Detection d) {
            if (json) {
                out.printf(Locale.ROOT, "{\"label\":%s,\"confidence\":%s,\"time_ms\":%d}%n", Stats.quote(d.label()),
                        Stats.num(d.confidence()), d.timeMs());
            } else {
                clear();
                out.printf(Locale.ROOT, "%8.2f s  %-10s %.2f%n", d.timeMs() / 1000.0, d.label(), d.confidence());
            }
            out.flush();
        }

        @Override
        public void onPosteriors(long timeMs, float[] posteriors, float[] smoothed) {
            System.arraycopy(smoothed, 0, scores, 0, scores.length);
        }

        synchronized void redraw(long timeMs) {
            if (!live || finished) return;
            long now = System.nanoTime();
            if (now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            clear();
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < scores.length; k++) {
                if (!m.isKeyword(k)) continue;
                int bar = Math.round(scores[k] * 20);
                b.append(String.format(Locale.ROOT, "%-8s %s%s %.2f%n", m.labels().get(k), "█".repeat(bar),
                        " ".repeat(20 - bar), scores[k]));
            }
            b.append(String.format(Locale.ROOT, "listening… %.1f s%n", timeMs / 1000.0));
            out.print(b);
            out.flush();
            drawn = true;
        }

        private void clear() {
            if (!drawn) return;
            int lines = 1;
            for (int k = 0; k < scores.length; k++) if (m.isKeyword(k)) lines++;
            out.print("\033[" + lines + "A\033[J");
            drawn = false;
        }

        /** Clears the panel; it is not drawn again. */
        synchronized void finish() {
            clear();
            finished = true;
            out.flush();
        }

        /**
         * When the panel is drawn: a shutdown hook that clears it if the JVM is stopped (Ctrl-C, a kill) before
         * {@link #finish()}, as a normal end does; {@code null} otherwise.
         */
        Thread clearOnExit() {
            if (!live) return null;
            Thread hook = new Thread(this::finish, "earshot-listen-panel");
            Runtime.getRuntime().addShutdownHook(hook);
            return hook;
        }

        /** After a normal end: the hook from {@link #clearOnExit()} is no longer needed. */
        void dropClearOnExit(Thread hook) {
            if (hook == null) return;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran): finish() again is harmless
            }
        }
    }
}
