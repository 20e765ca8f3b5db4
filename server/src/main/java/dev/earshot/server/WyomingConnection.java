package dev.earshot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.earshot.api.Detection;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.server.WyomingEvent.ProtocolException;
import dev.earshot.server.WyomingWakeWords.WakeWord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One client of a {@link WyomingServer}: its events in order on its own thread, and its audio stream's spotters. */
final class WyomingConnection {
    private static final System.Logger LOG = System.getLogger(WyomingServer.class.getName());
    /** Frames converted and pushed at a time: bounds the scratch whatever the chunk size. */
    private static final int BLOCK_FRAMES = 4096;
    /** How long input is drained after a fatal error, before the socket closes. */
    private static final int LINGER_MS = 500;

    private final WyomingServer server;
    private final Socket socket;
    private OutputStream out;
    private volatile long writingSince;  // System.nanoTime() when the pending write began; 0 when none is
    /** The wake words the next streams report; null for all. */
    private Set<String> wanted;
    private Stream stream;
    private final float[] mono = new float[BLOCK_FRAMES];

    /** One audio stream: its format and one spotter per model that has a wanted wake word. */
    private final class Stream {
        final WyomingPcm format;
        final List<Spotter> spotters = new ArrayList<>();
        boolean detected;

        Stream(WyomingPcm format) {
            this.format = format;
        }

        void close() {
            for (Spotter s : spotters) {
                s.close();
                server.openSpotters.decrementAndGet();
            }
            spotters.clear();
        }
    }

    WyomingConnection(WyomingServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
    }

    void run() {
        WyomingServer.Settings limits = server.settings;
        try {
            socket.setSoTimeout(limits.idleTimeoutMs());
            socket.setTcpNoDelay(true);  // a detection should leave at once, not wait for more bytes
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            while (true) {
                WyomingEvent e;
                try {
                    e = WyomingEvent.read(in, limits.maxHeaderBytes(), limits.maxDataBytes(), limits.maxPayloadBytes());
                    if (e == null) return;
                    handle(e);
                } catch (ProtocolException bad) {
                    send(WyomingServer.error(bad.code, bad.getMessage()));
                    if (bad.fatal) {
                        lingerBeforeClose(in);
                        return;
                    }
                }
            }
        } catch (SocketTimeoutException idle) {
            trySend(WyomingServer.error("idle-timeout", "nothing came for " + limits.idleTimeoutMs()
                    + " ms; closing"));
        } catch (WyomingEvent.Truncated gone) {
            // The client ended inside an event (it crashed, or gave up): there is no one left to answer.
        } catch (IOException | UncheckedIOException gone) {
            // The connection broke or was closed (by the client, close(), or the stalled-writer watchdog).
        } catch (RuntimeException bug) {
            LOG.log(System.Logger.Level.ERROR, "Wyoming: a client's event failed", bug);
            trySend(WyomingServer.error("internal", "internal error: " + bug));
        } finally {
            endStream();
            close();
        }
    }

    private void handle(WyomingEvent e) throws IOException, ProtocolException {
        switch (e.type()) {
            case "describe" -> send(server.wakeWords.info());
            case "ping" -> {
                ObjectNode pong = WyomingEvent.JSON.createObjectNode();
                pong.set("text", e.data().get("text"));
                send(WyomingEvent.of("pong", pong));
            }
            case "detect" -> detect(e.data());
            case "audio-start" -> {
                WyomingPcm format = WyomingPcm.of(e.data(), "audio-start");
                endStream();
                startStream(format);
            }
            case "audio-chunk" -> chunk(e);
            case "audio-stop" -> {
                if (stream == null) throw new ProtocolException("no-stream", "audio-stop without audio-start", false);
                boolean detected = stream.detected;
                endStream();
                if (!detected) send(WyomingEvent.of("not-detected", WyomingEvent.JSON.createObjectNode()));
            }
            default -> { }  // as wyoming-openwakeword: an event this service has no use for is no error
        }
    }

    /** {@code detect}: the names to report from the next stream on; a refused list leaves the previous one. */
    private void detect(ObjectNode data) throws ProtocolException {
        JsonNode names = data.get("names");
        if (names == null || names.isNull() || names.isArray() && names.isEmpty()) {
            wanted = null;
            return;
        }
        if (!names.isArray()) {
            throw new ProtocolException("bad-detect", "detect: \"names\" must be a list of wake-word names, not "
                    + names, false);
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (JsonNode n : names) {
            if (!n.isTextual() || server.wakeWords.get(n.asText()) == null) {
                throw new ProtocolException("unknown-wake-word", "detect: no wake word named " + n + " (served: "
                        + server.wakeWords.names() + ")", false);
            }
            chosen.add(n.asText());
        }
        wanted = chosen;
    }

    private void startStream(WyomingPcm format) {
        Stream s = new Stream(format);
        Map<KeywordModel, Map<String, String>> byModel = new HashMap<>();  // model → label → wake-word name
        for (WakeWord w : server.wakeWords.all()) {
            if (wanted == null || wanted.contains(w.name())) {
                byModel.computeIfAbsent(w.model(), m -> new HashMap<>()).put(w.label(), w.name());
            }
        }
        try {
            for (KeywordModel m : server.wakeWords.models().values()) {
                Map<String, String> names = byModel.get(m);
                if (names == null) continue;
                s.spotters.add(new Spotter(m, m.detectionSettings(), d -> detected(s, names, d), format.rate()));
                server.openSpotters.incrementAndGet();
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        stream = s;
    }

    private void detected(Stream s, Map<String, String> names, Detection d) {
        String name = names.get(d.label());
        if (name == null) return;  // a keyword of this model that the client did not ask for
        s.detected = true;
        ObjectNode data = WyomingEvent.JSON.createObjectNode();
        data.put("name", name);
        data.put("timestamp", d.timeMs());
        try {
            send(WyomingEvent.of("detection", data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // out through the spotter to run(), which ends the connection
        }
    }

    private void chunk(WyomingEvent e) throws ProtocolException {
        if (stream == null) throw new ProtocolException("no-stream", "audio-chunk before audio-start", true);
        WyomingPcm f = stream.format;
        f.checkChunk(e.data());
        byte[] pcm = e.payload();
        if (pcm.length % f.frameBytes() != 0) {
            throw new ProtocolException("partial-frame", "audio-chunk: " + pcm.length + " bytes are not whole frames of "
                    + f.frameBytes() + " bytes (" + f.channels() + " channels of " + f.width() + " bytes)", true);
        }
        int frames = pcm.length / f.frameBytes();
        Stream s = stream;
        for (int first = 0; first < frames; first += BLOCK_FRAMES) {
            int n = Math.min(BLOCK_FRAMES, frames - first);
            f.toMono(pcm, first, n, mono);
            for (Spotter spotter : s.spotters) spotter.accept(mono, 0, n);
        }
    }

    private void endStream() {
        if (stream != null) stream.close();
        stream = null;
    }

    private void send(WyomingEvent e) throws IOException {
        byte[] bytes = e.encode();
        writingSince = System.nanoTime();
        try {
            out.write(bytes);
            out.flush();
        } finally {
            writingSince = 0;
        }
    }

    /** A last word before closing; the client may be gone already. */
    private void trySend(WyomingEvent e) {
        try {
            if (out != null) send(e);
        } catch (IOException ignored) {
            // nobody to tell
        }
    }

    /**
     * Closing a socket with unread input resets the connection, and a reset can discard the error event on its way to
     * the client. So the output is ended first, and what the client still sends is read and dropped for a moment.
     */
    private void lingerBeforeClose(InputStream in) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MS);
            long deadline = System.nanoTime() + LINGER_MS * 1_000_000L;
            byte[] sink = new byte[8192];
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // dropped
            }
        } catch (IOException ignored) {
            // gone, or quiet for LINGER_MS: close now
        }
    }

    boolean writingLongerThan(long now, long nanos) {
        long since = writingSince;
        return since != 0 && now - since > nanos;
    }

    /** Closes the socket; the connection's thread then ends and closes its spotters. Any thread may call it. */
    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
