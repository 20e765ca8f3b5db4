package dev.earshot.app;

import dev.earshot.api.Detection;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.audio.WavReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot bench soak}: an endurance run. A recording (the demo by default) is looped for an hour of
 * audio through one spotter, then through several spotters on as many threads sharing one model. Heap after GC,
 * resident memory and the time per 10 ms are printed along the way: they must stay flat. Every loop's
 * detections must equal the first loop's, and every thread's must equal the single-threaded run's.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Endurance: hours of audio through spotters; memory, time and results must stay flat.")
public final class BenchSoakCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--input", defaultValue = "demo/commands.wav", description = "recording to loop") Path input;
    @Option(names = "--minutes", defaultValue = "60", description = "audio per spotter") double minutes;
    @Option(names = "--threads", defaultValue = "8", description = "spotters run in parallel in the second phase") int threads;

    private record Run(List<String> detections, double usPer10ms) {}

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(input)) throw new java.nio.file.NoSuchFileException(input.toString(), null, "no such recording");
        try (KeywordModel m = model.open()) {
            float[] loop = WavReader.read(input, m.sampleRate()).samples();
            // Whole strides per loop, so every loop meets the windows at the same phase and must repeat exactly.
            int stride = m.features().hopLength() * 5;
            loop = java.util.Arrays.copyOf(loop, loop.length / stride * stride);
            long loops = Math.max(2, Math.round(minutes * 60 * m.sampleRate() / loop.length));
            System.out.printf(Locale.ROOT, "soak: %s looped %d times (%.1f min of audio) per spotter%n", input, loops,
                    loops * loop.length / (double) m.sampleRate() / 60);
            Run single = run(m, loop, loops, true);
            boolean ok = true;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Run>> runs = new ArrayList<>();
            final float[] audio = loop;
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) runs.add(pool.submit(() -> run(m, audio, loops, false)));
            for (int t = 0; t < threads; t++) {
                Run r = runs.get(t).get();
                if (!r.detections().equals(single.detections())) {
                    System.out.println("thread " + t + ": detections differ from the single-threaded run");
                    ok = false;
                }
            }
            pool.shutdown();
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%d spotters on %d threads: %.1f s wall for %.0f min of audio each; "
                    + "detections identical to the single run: %s; %s%n", threads, threads, wall,
                    loops * loop.length / (double) m.sampleRate() / 60, ok, memory());
            return ok ? 0 : 1;
        }
    }

    private Run run(KeywordModel m, float[] loop, long loops, boolean report) {
        List<String> first = new ArrayList<>(), current = new ArrayList<>();
        long[] loopStart = {0};
        boolean[] repeats = {true};
        int chunk = m.sampleRate() / 100;
        long loopMs = loop.length * 1000L / m.sampleRate();
        try (Spotter s = new Spotter(m, m.detectionSettings(), (Detection d) ->
                current.add(d.label() + "@" + (d.timeMs() - loopStart[0] * loopMs)))) {
            long t0 = System.nanoTime(), chunks = 0;
            for (long l = 0; l < loops; l++) {
                loopStart[0] = l;
                for (int i = 0; i + chunk <= loop.length; i += chunk, chunks++) s.accept(loop, i, chunk);
                if (l == 1) first.addAll(current);  // loop 0 starts cold; loop 1 is the steady state
                else if (l > 1 && !current.equals(first)) repeats[0] = false;
                current.clear();
                if (report && (l + 1) % Math.max(1, loops / 6) == 0) {
                    double us = (System.nanoTime() - t0) / 1e3 / chunks;
                    System.out.printf(Locale.ROOT, "  %6.1f min: %.1f µs per 10 ms; loop repeats exactly: %s; %s%n",
                            (l + 1) * loopMs / 60000.0, us, repeats[0], memory());
                    t0 = System.nanoTime();
                    chunks = 0;
                }
            }
        }
        if (!repeats[0]) first.add("NOT REPEATING");
        return new Run(first, 0);
    }

    /** Heap after a GC and resident memory, for a report line. */
    static String memory() {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        String rss = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) rss = line.substring(6).trim();
            }
        } catch (java.io.IOException ignored) {
            // not Linux: heap only
        }
        return String.format(Locale.ROOT, "heap %.1f MB, resident %s", heap / 1e6, rss);
    }
}
