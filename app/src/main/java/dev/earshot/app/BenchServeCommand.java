package dev.earshot.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.earshot.api.Detection;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.audio.WavReader;
import dev.earshot.server.EarshotServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot bench serve}: the WebSocket server under load. A server on a free loopback port and N clients in
 * this process (the JDK's WebSocket); each client streams a recording in a loop, a reset after each pass, paced at
 * {@code --speed} times real time (or as fast as the server takes it), for {@code --seconds}. Printed: the audio the
 * server got through per second of wall time (in real-time streams), whether every pass of every stream gave exactly
 * the detections of one in-process spotter on the recording, the time from sending the chunk that completes a
 * detection's window to receiving the detection (p50, p99, max), and heap after GC and resident memory every 10 s,
 * which must stay flat. Memory and CPU are the clients' and the server's together.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load on WS /v1/listen: N streams of a looped recording, faster than real time; throughput, "
                + "detections, latency and memory.")
public final class BenchServeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--input", defaultValue = "demo/commands.wav", paramLabel = "WAV",
            description = "recording each stream loops (default: ${DEFAULT-VALUE})") Path input;
    @Option(names = "--streams", defaultValue = "8", paramLabel = "N", description = "concurrent streams (default: ${DEFAULT-VALUE})") int streams;
    @Option(names = "--speed", defaultValue = "20", paramLabel = "X",
            description = "each stream's pace in times real time; 0: as fast as the server takes it (default: ${DEFAULT-VALUE})") double speed;
    @Option(names = "--seconds", defaultValue = "60", paramLabel = "S", description = "wall time of the run, after the warm-up (default: ${DEFAULT-VALUE})") double seconds;
    @Option(names = "--warmup", defaultValue = "5", paramLabel = "S", description = "seconds first, not counted (default: ${DEFAULT-VALUE})") double warmup;
    @Option(names = "--chunk-ms", defaultValue = "100", paramLabel = "MS", description = "audio per message (default: ${DEFAULT-VALUE})") int chunkMs;
    @Option(names = "--json", description = "print one JSON object as the last line") boolean json;

    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        Options.inRange("--streams", streams, 1, 10_000);
        Options.nonNegative("--speed", speed);
        Options.positive("--seconds", seconds);
        Options.nonNegative("--warmup", warmup);
        Options.inRange("--chunk-ms", chunkMs, 1, 4000);
        Options.inputFile("--input", input);
        try (KeywordModel m = model.open()) {
            int rate = m.sampleRate();
            short[] pcm = shorts(WavReader.read(input, rate).samples());
            List<Detection> reference = reference(m, pcm);
            double oneSpotter = oneSpotterSpeed(m, pcm);
            int chunk = rate * chunkMs / 1000;
            EarshotServer.StreamLimits limits = new EarshotServer.StreamLimits(streams, 1 << 20, Duration.ofSeconds(60), 1e9);
            try (EarshotServer server = EarshotServer.start(Map.of(model.spec, m), model.spec,
                    new EarshotServer.Settings("127.0.0.1", 0, 1 << 20, limits))) {
                System.out.printf(Locale.ROOT, "bench serve: %d streams of %s (%.1f s, %d detections per pass) at %s, "
                                + "%d ms per message, %s model, %.0f s after %.0f s of warm-up; one spotter on one "
                                + "thread in this process just before: %.0fx real time%n", streams, input,
                        pcm.length / (double) rate, reference.size(), speed == 0 ? "full speed" : speed + "x real time",
                        chunkMs, model.spec, seconds, warmup, oneSpotter);
                URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/v1/listen");
                long start = System.nanoTime();
                long countFrom = start + (long) (warmup * 1e9), end = countFrom + (long) (seconds * 1e9);
                List<LoadStream> clients = new ArrayList<>();
                // A few HTTP clients, so that one selector thread does not carry every stream.
                HttpClient[] http = new HttpClient[Math.max(1, Math.min(streams, 8))];
                for (int i = 0; i < http.length; i++) http[i] = HttpClient.newHttpClient();
                for (int s = 0; s < streams; s++) {
                    LoadStream c = new LoadStream(pcm, chunk, rate, reference, (int) (500L * m.clipSamples() / rate), countFrom);
                    c.ws = http[s % http.length].newWebSocketBuilder().buildAsync(uri, c).get(30, TimeUnit.SECONDS);
                    clients.add(c);
                }
                List<Thread> senders = new ArrayList<>();
                for (LoadStream c : clients) {
                    Thread t = new Thread(() -> c.send(start, end, speed), "bench-stream");
                    t.setDaemon(true);
                    t.start();
                    senders.add(t);
                }
                report(0, clients, countFrom, server.openStreams());
                long gcMillis = gcMillis();
                double lastReport = 0;
                while (System.nanoTime() < end) {
                    Thread.sleep(200);
                    double at = (System.nanoTime() - countFrom) / 1e9;
                    if (at >= lastReport + 10) {
                        lastReport = Math.floor(at / 10) * 10;
                        report(at, clients, countFrom, server.openStreams());
                    }
                }
                gcMillis = gcMillis() - gcMillis;  // the reports' own System.gc() included
                for (Thread t : senders) t.join(TimeUnit.MINUTES.toMillis(2));
                for (LoadStream c : clients) c.finished.get(60, TimeUnit.SECONDS);
                return summary(clients, rate, oneSpotter, gcMillis);
            }
        }
    }

    private static short[] shorts(float[] f) {
        short[] s = new short[f.length];
        for (int i = 0; i < f.length; i++) s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(f[i] * 32768)));
        return s;
    }

    /** One pass of the recording through an in-process spotter, from time 0. */
    private static List<Detection> reference(KeywordModel m, short[] pcm) {
        List<Detection> out = new ArrayList<>();
        try (Spotter s = new Spotter(m, out::add)) {
            s.accept(pcm);
        }
        return out;
    }

    /**
     * Times real time of one spotter on this thread over the recording (the best of five passes after two), to set
     * the served streams against what the machine gives at the moment: other load slows both alike.
     */
    private static double oneSpotterSpeed(KeywordModel m, short[] pcm) {
        double best = 0;
        try (Spotter s = new Spotter(m, d -> {})) {
            for (int pass = 0; pass < 7; pass++) {
                s.reset();
                long t0 = System.nanoTime();
                for (int i = 0; i < pcm.length; i += m.sampleRate() / 100) s.accept(pcm, i, Math.min(m.sampleRate() / 100, pcm.length - i));
                double x = pcm.length / (double) m.sampleRate() / ((System.nanoTime() - t0) / 1e9);
                if (pass >= 2) best = Math.max(best, x);
            }
        }
        return best;
    }

    private void report(double at, List<LoadStream> clients, long countFrom, int open) {
        double audio = 0;
        for (LoadStream c : clients) audio += c.countedSamples() / (double) c.rate;
        double wall = Math.max(1e-9, (System.nanoTime() - countFrom) / 1e9);
        System.out.printf(Locale.ROOT, "  %5.1f s: %s; %.0f real-time streams so far; %d open%n", at,
                BenchSoakCommand.memory(), at > 0 ? audio / wall : 0, open);
    }

    private static long gcMillis() {
        long ms = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
        return ms;
    }

    private int summary(List<LoadStream> clients, int rate, double oneSpotter, long gcMillis) {
        double audio = 0;
        long passes = 0, wrong = 0, failed = 0;
        List<Long> lat = new ArrayList<>();
        for (LoadStream c : clients) {
            audio += c.countedSamples() / (double) rate;
            passes += c.passes;
            wrong += c.wrongPasses;
            if (c.failure != null) failed++;
            synchronized (c) {
                for (int i = 0; i < c.latencyCount; i++) lat.add(c.latencies[i]);
            }
        }
        long[] l = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        double realTime = audio / seconds;
        double p50 = percentile(l, 0.50), p90 = percentile(l, 0.90), p99 = percentile(l, 0.99);
        double max = l.length == 0 ? Double.NaN : l[l.length - 1] / 1e6;
        System.out.printf(Locale.ROOT, "%d streams: %.1f real-time streams served (%.1f x real time each, %.0f s of "
                        + "audio in %.0f s; %.2f times one spotter on one thread); %d passes, %d with other detections than one spotter's; %d streams failed; "
                        + "chunk to detection: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms over %d detections%n",
                clients.size(), realTime, realTime / clients.size(), audio, seconds, realTime / oneSpotter, passes, wrong, failed, p50, p90, p99,
                max, l.length);
        System.out.printf(Locale.ROOT, "  GC: %d ms in the run; load average at the end %s%n", gcMillis, loadAverage());
        for (LoadStream c : clients) if (c.failure != null) System.out.println("  a stream failed: " + c.failure);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"streams\":%d,\"speed\":%s,\"realtime_streams\":%s,\"passes\":%d,"
                            + "\"wrong_passes\":%d,\"failed_streams\":%d,\"p50_ms\":%s,\"p90_ms\":%s,\"p99_ms\":%s,\"max_ms\":%s,"
                            + "\"detections\":%d,\"one_spotter_realtime\":%s}%n", clients.size(), Stats.num(speed),
                    Stats.num(realTime), passes, wrong, failed, Stats.num(p50), Stats.num(p90), Stats.num(p99),
                    Stats.num(max), l.length, Stats.num(oneSpotter));
        }
        return wrong == 0 && failed == 0 && passes > 0 ? 0 : 1;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /**
     * One client: sends the recording pass after pass, a reset after each, and checks each pass's detections as the
     * reset answers mark where a pass ends. Latency: from sending the chunk that holds the last sample of a
     * detection's window (its time plus half a clip) to receiving the detection.
     */
    static final class LoadStream implements WebSocket.Listener {
        final short[] pcm;
        final int chunk, rate, halfClipMs;
        final List<Detection> reference;
        final long countFrom;
        final int chunksPerPass;
        // Send times of each chunk of the last passes, by pass modulo their number: the receiver is a pass behind at most.
        final AtomicLongArray[] sentAt = new AtomicLongArray[4];
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final List<Detection> current = new ArrayList<>();
        private volatile long countedSamples;
        WebSocket ws;
        long passes, wrongPasses;
        long[] latencies = new long[1024];
        int latencyCount;
        volatile String failure;

        LoadStream(short[] pcm, int chunk, int rate, List<Detection> reference, int halfClipMs, long countFrom) {
            this.pcm = pcm;
            this.chunk = chunk;
            this.rate = rate;
            this.reference = reference;
            this.halfClipMs = halfClipMs;
            this.countFrom = countFrom;
            this.chunksPerPass = (pcm.length + chunk - 1) / chunk;
            for (int i = 0; i < sentAt.length; i++) sentAt[i] = new AtomicLongArray(chunksPerPass);
        }

        long countedSamples() {
            return countedSamples;
        }

        /** Passes until {@code end}, each chunk due at {@code start} plus its place in the stream at {@code speed}. */
        void send(long start, long end, double speed) {
            try {
                double nanosPerSample = speed == 0 ? 0 : 1e9 / rate / speed;
                long sample = 0;
                byte[] bytes = new byte[2 * chunk];
                for (long pass = 0; System.nanoTime() < end; pass++) {
                    // The receiver reads the send times of the pass it is on: keep within the slots it has not read.
                    while (pass - passesDone() >= sentAt.length && failure == null) Thread.sleep(1);
                    AtomicLongArray times = sentAt[(int) (pass % sentAt.length)];
                    for (int k = 0; k < chunksPerPass; k++) {
                        int off = k * chunk, n = Math.min(chunk, pcm.length - off);
                        long due = start + (long) (sample * nanosPerSample);
                        long wait = due - System.nanoTime();
                        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        for (int i = 0; i < n; i++) {
                            bytes[2 * i] = (byte) pcm[off + i];
                            bytes[2 * i + 1] = (byte) (pcm[off + i] >> 8);
                        }
                        long now = System.nanoTime();
                        times.set(k, now);
                        ws.sendBinary(ByteBuffer.wrap(bytes, 0, 2 * n), true).get(60, TimeUnit.SECONDS);
                        if (now >= countFrom && now < end) countedSamples += n;
                        sample += n;
                    }
                    ws.sendText("{\"type\":\"reset\"}", true).get(60, TimeUnit.SECONDS);
                }
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                failure = "sending: " + e;
                finished.complete(null);
            }
        }

        private synchronized long passesDone() {
            return passes;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                try {
                    onMessage(JSON.readTree(partial.toString()), now);
                } catch (Exception e) {
                    failure = "receiving: " + e;
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private synchronized void onMessage(JsonNode m, long now) {
            switch (m.get("type").asText()) {
                case "detection" -> {
                    Detection d = new Detection(m.get("label").asText(), (float) m.get("confidence").doubleValue(),
                            m.get("time_ms").asLong());
                    current.add(d);
                    long lastSample = (d.timeMs() + halfClipMs) * rate / 1000;
                    int k = (int) Math.min(chunksPerPass - 1, Math.max(0, (lastSample - 1) / chunk));
                    long sent = sentAt[(int) (passes % sentAt.length)].get(k);
                    if (sent >= countFrom) {
                        if (latencyCount == latencies.length) latencies = Arrays.copyOf(latencies, 2 * latencyCount);
                        latencies[latencyCount++] = now - sent;
                    }
                }
                case "reset" -> {
                    if (!current.equals(reference)) wrongPasses++;
                    passes++;
                    current.clear();
                }
                case "ready" -> { }
                default -> failure = "unexpected message: " + m;
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (statusCode != WebSocket.NORMAL_CLOSURE) failure = "closed by the server: " + statusCode + " " + reason;
            finished.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failure = "connection: " + error;
            finished.complete(null);
        }
    }
}
