package dev.earshot.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.earshot.api.KeywordModel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Earshot as a Wyoming wake-word service, the protocol Home Assistant and Rhasspy speak to wake-word detectors
 * (<a href="https://github.com/rhasspy/wyoming">rhasspy/wyoming</a>): events over TCP, each a JSON header line,
 * optional JSON data and an optional binary payload ({@link WyomingEvent}). A client may
 *
 * <ul>
 *   <li>send {@code describe}: the answer is {@code info}, one wake program {@code earshot} whose models are the
 *       served keywords ({@link WyomingWakeWords}: the default model's as {@code yes}, others' as
 *       {@code windows/yes});</li>
 *   <li>send {@code detect}, optionally with {@code names}: the streams that start after it report only those wake
 *       words (all of them when it names none), and run only the models that have one;</li>
 *   <li>stream {@code audio-start}, {@code audio-chunk}s and {@code audio-stop} in any rate, width (1, 2 or 4 bytes)
 *       and channel count ({@link WyomingPcm}): each keyword heard is a {@code detection} with its {@code name} and
 *       {@code timestamp}, the milliseconds of the stream at which it was heard (a {@link dev.earshot.api.Detection}'s
 *       time), and {@code audio-stop} answers {@code not-detected} if the stream had none. Another {@code audio-start}
 *       begins a new stream, forgetting the one before; closing the connection ends it too (Home Assistant never
 *       sends {@code audio-stop});</li>
 *   <li>send {@code ping}: the answer is {@code pong} with the same {@code text}.</li>
 * </ul>
 * Other event types are ignored, as wyoming-openwakeword does. Bad input is answered with an {@code error} event
 * ({@code text}, {@code code}); when the connection cannot go on (the framing is lost, a limit is passed, an audio
 * stream is broken), it is then closed. Each client has its own thread and {@link dev.earshot.api.Spotter}s over the
 * shared models, closed when it goes; nothing one client sends reaches another.
 */
public final class WyomingServer implements AutoCloseable {
    /**
     * Where and how much.
     *
     * @param bind            the address to listen on (127.0.0.1 unless exposing the service is meant)
     * @param port            0 for any free port; Wyoming services conventionally use 10400 and up
     * @param maxClients      connections served at once; one more is answered {@code busy} and closed
     * @param maxHeaderBytes  the longest header line (with inline data)
     * @param maxDataBytes    the largest {@code data_length}
     * @param maxPayloadBytes the largest {@code payload_length}: one audio chunk (one second of 48 kHz stereo 32-bit
     *                        audio is 384 KB)
     * @param idleTimeoutMs   a connection that sends nothing for this long, or does not take an answer for this long,
     *                        is closed
     */
    public record Settings(String bind, int port, int maxClients, int maxHeaderBytes, int maxDataBytes,
                           int maxPayloadBytes, int idleTimeoutMs) {
        public static Settings defaults() {
            return new Settings("127.0.0.1", 10400, 16, 64 << 10, 64 << 10, 1 << 20, 60_000);
        }

        public Settings {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
            if (maxClients < 1) throw new IllegalArgumentException("maxClients must be at least 1, not " + maxClients);
            if (maxHeaderBytes < 256) {
                throw new IllegalArgumentException("maxHeaderBytes must be at least 256, not " + maxHeaderBytes);
            }
            if (maxDataBytes < 0 || maxPayloadBytes < 0) {
                throw new IllegalArgumentException("maxDataBytes and maxPayloadBytes must be 0 or more");
            }
            if (idleTimeoutMs < 1) throw new IllegalArgumentException("idleTimeoutMs must be at least 1, not " + idleTimeoutMs);
        }

        /** These settings on another address and port. */
        public Settings withAddress(String bind, int port) {
            return new Settings(bind, port, maxClients, maxHeaderBytes, maxDataBytes, maxPayloadBytes, idleTimeoutMs);
        }
    }

    private static final System.Logger LOG = System.getLogger(WyomingServer.class.getName());

    final Settings settings;
    final WyomingWakeWords wakeWords;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final ExecutorService clients;
    private final ScheduledExecutorService watchdog;
    private final Set<WyomingConnection> open = ConcurrentHashMap.newKeySet();
    final AtomicInteger openSpotters = new AtomicInteger();
    private volatile boolean closed;

    private WyomingServer(WyomingWakeWords wakeWords, Settings settings, ServerSocket listener) {
        this.settings = settings;
        this.wakeWords = wakeWords;
        this.listener = listener;
        AtomicInteger ids = new AtomicInteger();
        this.clients = Executors.newCachedThreadPool(r -> daemon(r, "earshot-wyoming-client-" + ids.incrementAndGet()));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "earshot-wyoming-watchdog"));
        long every = Math.max(10, Math.min(1000, settings.idleTimeoutMs() / 4));
        watchdog.scheduleWithFixedDelay(this::dropStalledWriters, every, every, TimeUnit.MILLISECONDS);
        this.acceptor = daemon(this::acceptLoop, "earshot-wyoming-accept");
    }

    /**
     * Starts serving the keywords of {@code models} (by name; {@code defaultModel}'s keywords go by their plain
     * labels).
     *
     * @throws IOException when the address cannot be bound (in use, or not this machine's)
     */
    public static WyomingServer start(Map<String, KeywordModel> models, String defaultModel, Settings settings)
            throws IOException {
        WyomingWakeWords wakeWords = new WyomingWakeWords(models, defaultModel);
        ServerSocket listener = new ServerSocket();
        try {
            listener.bind(new InetSocketAddress(InetAddress.getByName(settings.bind()), settings.port()));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw new IOException("cannot listen on " + settings.bind() + ":" + settings.port() + ": "
                    + EarshotServer.rootMessage(e), e);
        }
        WyomingServer s = new WyomingServer(wakeWords, settings, listener);
        s.acceptor.start();
        return s;
    }

    /** The port listened on (the one chosen when {@link Settings#port} was 0). */
    public int port() {
        return listener.getLocalPort();
    }

    /** The wake-word names clients can detect, in the order {@code info} lists them. */
    public java.util.List<String> wakeWordNames() {
        return wakeWords.all().stream().map(WyomingWakeWords.WakeWord::name).toList();
    }

    /** Connections being served now. */
    int clients() {
        return open.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                LOG.log(System.Logger.Level.WARNING, "Wyoming: accept failed: " + e);
                pause();  // say, out of file descriptors: let connections end before trying again
                continue;
            }
            WyomingConnection c = new WyomingConnection(this, socket);
            if (open.size() >= settings.maxClients()) {
                refuse(socket, "busy", "the server is serving its limit of " + settings.maxClients()
                        + " clients; try again later");
                continue;
            }
            open.add(c);
            if (closed) {  // close() ran between the check and the add: it may not have seen this one
                open.remove(c);
                c.close();
                return;
            }
            clients.execute(() -> {
                try {
                    c.run();
                } finally {
                    open.remove(c);
                }
            });
        }
    }

    /** Answers {@code error} and closes, for a connection that is not served. */
    private static void refuse(Socket socket, String code, String text) {
        try (socket) {
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write(error(code, text).encode());
            out.flush();
        } catch (IOException ignored) {
            // the client went: nobody to tell
        }
    }

    static WyomingEvent error(String code, String text) {
        ObjectNode data = WyomingEvent.JSON.createObjectNode();
        data.put("text", text);
        data.put("code", code);
        return WyomingEvent.of("error", data);
    }

    /**
     * A blocked write cannot time out on a java.net socket: a client that stops reading its answers would hold its
     * thread and its place for ever. Closing its socket ends the write.
     */
    private void dropStalledWriters() {
        long now = System.nanoTime();
        for (WyomingConnection c : open) {
            if (c.writingLongerThan(now, TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMs()))) c.close();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops listening, closes every connection and waits (a few seconds at most) for their spotters to close. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(WyomingConnection::close);
        clients.shutdown();
        watchdog.shutdownNow();
        try {
            acceptor.join(5000);
            if (!clients.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "Wyoming: " + open.size() + " connections did not end in 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
