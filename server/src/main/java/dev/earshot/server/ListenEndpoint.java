package dev.earshot.server;

import dev.earshot.api.KeywordModel;
import dev.earshot.audio.Resampler;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Session;

/**
 * {@code WS /v1/listen}: one {@link ListenStream} per WebSocket connection, within {@link EarshotServer.StreamLimits}.
 * Jetty enforces the message size (closing with 1009) and the idle timeout (1001); this class the number of streams
 * (1013), the query (1008), whole samples (1007) and the speed limit (1008). A problem with one connection closes
 * that connection only.
 */
final class ListenEndpoint {
    /** The query parameters there are. */
    static final Set<String> PARAMETERS = Set.of("model", "rate", "posteriors", "threshold");

    /** The most UTF-8 bytes a close frame's reason holds (RFC 6455: 125 bytes of payload, 2 of them the code). */
    static final int MAX_REASON_BYTES = 123;

    private final Map<String, KeywordModel> models;
    private final String defaultModel;
    private final EarshotServer.StreamLimits limits;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Map<Session, ListenStream> streams = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    ListenEndpoint(Map<String, KeywordModel> models, String defaultModel, EarshotServer.StreamLimits limits) {
        this.models = models;
        this.defaultModel = defaultModel;
        this.limits = limits;
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> guarded(ctx, () -> open(ctx)));
        ws.onBinaryMessage(ctx -> guarded(ctx, () -> {
            ListenStream s = streams.get(ctx.session);
            if (s == null) return;
            try {
                send(ctx, s.audio(ctx.data(), ctx.offset(), ctx.length(), System.nanoTime()));
            } catch (ListenStream.Fatal e) {
                close(ctx, e.code, e.getMessage());
            }
        }));
        ws.onMessage(ctx -> guarded(ctx, () -> {
            ListenStream s = streams.get(ctx.session);
            if (s != null) send(ctx, s.text(ctx.message()));
        }));
        ws.onClose(ctx -> closed(ctx.session));
        ws.onError(ctx -> closed(ctx.session));
    }

    /** Runs a handler; a failure of the server's own (a bug) closes that connection with 1011, naming it. */
    private static void guarded(WsContext ctx, Runnable handler) {
        try {
            handler.run();
        } catch (RuntimeException e) {
            close(ctx, 1011, "internal error: " + e);
        }
    }

    private void open(WsConnectContext ctx) {
        if (stopping) {
            close(ctx, 1001, "the server is stopping");
            return;
        }
        if (admitted.incrementAndGet() > limits.maxStreams()) {
            admitted.decrementAndGet();
            close(ctx, 1013, "too many streams: this server takes " + limits.maxStreams() + " at a time; try again later");
            return;
        }
        ListenStream s;
        try {
            s = stream(ctx);
        } catch (ListenStream.Fatal e) {
            admitted.decrementAndGet();
            close(ctx, e.code, e.getMessage());
            return;
        } catch (RuntimeException e) {
            admitted.decrementAndGet();
            throw e;
        }
        streams.put(ctx.session, s);
        if (stopping) {  // stop() went through the streams before this one was among them
            close(ctx, 1001, "the server is stopping");
            return;
        }
        send(ctx, List.of(s.ready()));
    }

    /** The stream the query asks for. */
    private ListenStream stream(WsConnectContext ctx) throws ListenStream.Fatal {
        Map<String, List<String>> query = ctx.queryParamMap();
        for (Map.Entry<String, List<String>> p : query.entrySet()) {
            if (!PARAMETERS.contains(p.getKey())) {
                throw badQuery("unknown parameter '" + p.getKey() + "' (model, rate, posteriors, threshold)");
            }
            if (p.getValue().size() > 1) throw badQuery(p.getKey() + " is given twice");
        }
        String name = ctx.queryParam("model") == null ? defaultModel : ctx.queryParam("model");
        KeywordModel m = models.get(name);
        if (m == null) {
            throw badQuery("no model named '" + name + "' (loaded: "
                    + String.join(", ", new TreeSet<>(models.keySet())) + ")");
        }
        int rate = m.sampleRate();
        String r = ctx.queryParam("rate");
        if (r != null) {
            try {
                rate = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                rate = -1;
            }
            if (rate < Resampler.MIN_RATE || rate > Resampler.MAX_RATE) {
                throw badQuery("rate must be a whole number of Hz from " + Resampler.MIN_RATE
                        + " to " + Resampler.MAX_RATE + ", not '" + r + "'");
            }
        }
        String p = ctx.queryParam("posteriors");
        if (p != null && !p.equals("true") && !p.equals("false")) {
            throw badQuery("posteriors must be true or false, not '" + p + "'");
        }
        Float threshold = null;
        String t = ctx.queryParam("threshold");
        if (t != null) {
            try {
                threshold = Float.parseFloat(t);
            } catch (NumberFormatException e) {
                threshold = Float.NaN;
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw badQuery("threshold must be a number in (0, 1], not '" + t + "'");
            }
        }
        return new ListenStream(name, m, rate, threshold, "true".equals(p),
                new AudioSpeedLimit(limits.maxSpeed(), System.nanoTime()));
    }

    private static ListenStream.Fatal badQuery(String why) {
        return new ListenStream.Fatal(1008, why);
    }

    /**
     * Sends each message, blocking while the client is slow to read (and so reading no more of its audio). Jetty
     * gives up on a send after the idle timeout; a client that read nothing for that long is disconnected (a close
     * frame would not get through either), and the close event frees its stream.
     */
    private static void send(WsContext ctx, List<String> messages) {
        try {
            for (String m : messages) ctx.session.getRemote().sendString(m);
        } catch (IOException | RuntimeException e) {
            ctx.session.disconnect();
        }
    }

    private static void close(WsContext ctx, int code, String reason) {
        ctx.session.close(code, fit(reason));
    }

    /** {@code reason} cut to what a close frame holds, at a character boundary. */
    static String fit(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_REASON_BYTES) return reason;
        int end = MAX_REASON_BYTES - 3;  // room for the UTF-8 "…"
        while ((b[end] & 0xC0) == 0x80) end--;  // b[end] starts the first character left out
        return new String(b, 0, end, StandardCharsets.UTF_8) + "…";
    }

    /** A connection ended (closed, failed or dropped): its spotter is freed and its place given back. */
    private void closed(Session session) {
        ListenStream s = streams.remove(session);
        if (s == null) return;
        s.close();
        admitted.decrementAndGet();
    }

    /** Streams open now. */
    int openStreams() {
        return streams.size();
    }

    /** Closes every stream with 1001 and refuses new ones; waits up to {@code waitMillis} for the closes to finish. */
    void stop(long waitMillis) throws InterruptedException {
        stopping = true;
        for (Session s : streams.keySet()) s.close(1001, "the server is stopping");
        long end = System.nanoTime() + waitMillis * 1_000_000;
        while (!streams.isEmpty() && System.nanoTime() < end) Thread.sleep(10);
    }

    /** After the server stopped: frees the spotters of connections whose close event never came. */
    void freeAll() {
        for (Session s : List.copyOf(streams.keySet())) closed(s);
    }
}
