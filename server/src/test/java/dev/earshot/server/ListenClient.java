package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.earshot.api.Detection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of {@code WS /v1/listen} on the JDK's {@link WebSocket}: it queues the server's text messages as JSON and
 * records how the server closed the connection.
 */
final class ListenClient implements WebSocket.Listener, AutoCloseable {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final long WAIT_SECONDS = 20;

    /** How the server closed the connection. */
    record Closed(int code, String reason) {}

    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final boolean reads;
    private WebSocket ws;

    private ListenClient(boolean reads) {
        this.reads = reads;
    }

    /** Connects to {@code /v1/listen} with {@code query} ("" or "?model=…"). */
    static ListenClient connect(EarshotServer server, String query) throws Exception {
        return connect(server, query, true);
    }

    /** With {@code reads} false, the client reads nothing the server sends: a client that stopped reading. */
    static ListenClient connect(EarshotServer server, String query, boolean reads) throws Exception {
        ListenClient c = new ListenClient(reads);
        c.ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/v1/listen" + query), c)
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        return c;
    }

    /** Connects and takes the ready message. */
    static ListenClient ready(EarshotServer server, String query) throws Exception {
        ListenClient c = connect(server, query);
        JsonNode ready = c.next();
        assertEquals("ready", ready.get("type").asText(), ready.toString());
        return c;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reads) webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                closed.completeExceptionally(new AssertionError("not JSON: " + partial, e));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    /** The next message from the server; fails saying how if the server closed the connection instead. */
    JsonNode next() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < end) {
            JsonNode m = messages.poll(50, TimeUnit.MILLISECONDS);
            if (m != null) return m;
            if (closed.isDone() && messages.isEmpty()) fail("the server closed the connection: " + closed.handle((c, e) -> c == null ? e : c).join());
        }
        return fail("no message from the server in " + WAIT_SECONDS + " s");
    }

    void send(byte[] pcm) throws Exception {
        send(pcm, WAIT_SECONDS);
    }

    /** Sends one binary message, waiting at most {@code seconds} for it to go. */
    void send(byte[] pcm, long seconds) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(pcm), true).get(seconds, TimeUnit.SECONDS);
    }

    void send(String text) throws Exception {
        send(text, WAIT_SECONDS);
    }

    /** Sends one text message, waiting at most {@code seconds} for it to go. */
    void send(String text, long seconds) throws Exception {
        ws.sendText(text, true).get(seconds, TimeUnit.SECONDS);
    }

    /**
     * Sends {@code pcm} as 16-bit little-endian messages of the given sample counts in turn; false if the server
     * closed the connection before all were sent.
     */
    boolean stream(short[] pcm, int... chunks) throws Exception {
        for (int i = 0, c = 0; i < pcm.length; c++) {
            int n = Math.min(chunks[c % chunks.length], pcm.length - i);
            if (closed.isDone()) return false;
            try {
                send(littleEndian(pcm, i, n));
            } catch (Exception e) {
                try {
                    closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
                    return false;  // the server's close crossed the send
                } catch (Exception none) {
                    throw e;
                }
            }
            i += n;
        }
        return true;
    }

    /**
     * Every message up to the answer to a reset sent now: the server answers in order, so they are all it sent for
     * what came before. The stream is at time 0 afterwards.
     */
    List<JsonNode> flush() throws Exception {
        send("{\"type\":\"reset\"}");
        List<JsonNode> got = new ArrayList<>();
        for (JsonNode m = next(); !m.get("type").asText().equals("reset"); m = next()) got.add(m);
        return got;
    }

    /** The detection messages among {@code messages}, as detections. */
    static List<Detection> detections(List<JsonNode> messages) {
        List<Detection> ds = new ArrayList<>();
        for (JsonNode m : messages) {
            if (!m.get("type").asText().equals("detection")) continue;
            ds.add(new Detection(m.get("label").asText(), (float) m.get("confidence").doubleValue(), m.get("time_ms").asLong()));
        }
        return ds;
    }

    /** How the server closed the connection (waiting for it). */
    Closed awaitClose() throws Exception {
        return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Drops the connection without a close handshake, as a client that vanishes. */
    void abort() {
        ws.abort();
    }

    static byte[] littleEndian(short[] pcm, int offset, int n) {
        byte[] b = new byte[2 * n];
        for (int k = 0; k < n; k++) {
            b[2 * k] = (byte) pcm[offset + k];
            b[2 * k + 1] = (byte) (pcm[offset + k] >> 8);
        }
        return b;
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                ws.abort();
            }
        }
    }
}
