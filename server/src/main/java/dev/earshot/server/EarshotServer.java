package dev.earshot.server;

import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Prediction;
import dev.earshot.audio.WavFormatException;
import dev.earshot.audio.WavReader;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Earshot over HTTP, on Javalin 6 (a thin layer over Jetty 11: its own server, WebSocket and multipart support,
 * no annotations, and a small dependency tree; Javalin 7's Jetty 12 needs the Servlet 6 API, which cannot share a
 * class path with Spark 4.0's Servlet 5 that the spark commands load). One process serves any number of clients from the loaded models, which
 * are thread-safe and shared.
 *
 * <ul>
 *   <li>{@code GET /v1/models}: each model's name, labels, clip length, feature and detection settings.</li>
 *   <li>{@code POST /v1/recognize?model=NAME&top=K}: a WAV file as the body ({@code audio/wav}, {@code audio/x-wav},
 *       {@code audio/wave} or {@code application/octet-stream}) or as the first file of a
 *       {@code multipart/form-data} form; answers the top K labels, as {@link KeywordModel#classify} gives them.</li>
 *   <li>{@code WS /v1/listen?model=NAME&rate=HZ&posteriors=true|false&threshold=T}: a WebSocket that spots keywords in
 *       a live stream, one {@link dev.earshot.api.Spotter} per connection over the shared model:
 *       <ul>
 *         <li>{@code model}: a loaded model (default: the default model); {@code rate}: the client's PCM rate in Hz,
 *             1000 to 1000000, converted to the model's (default: the model's); {@code posteriors}: whether to send
 *             posteriors (default false); {@code threshold}: one detection threshold in (0, 1] for every keyword, as
 *             {@code listen --threshold} (default: the model's tuned {@link DetectionSettings}).</li>
 *         <li>The client sends binary messages of 16-bit little-endian mono PCM, any number of whole samples each,
 *             and text messages {@code {"type":"reset"}} (a fresh stream at time 0, answered {@code {"type":"reset"}})
 *             and {@code {"type":"config","threshold":T,"posteriors":B}} (either field; a threshold of null is the
 *             model's own). A config applies to the audio that follows; a new threshold starts the detector afresh
 *             (what it heard before is forgotten, as after a reset) but the stream time goes on.</li>
 *         <li>The server sends JSON text messages with a {@code type}: {@code ready} on open (model, rate,
 *             model_rate, labels, keywords); {@code detection} (label, confidence, time_ms: the {@link
 *             dev.earshot.api.Detection}'s); with posteriors, {@code posteriors} every 100 ms of stream time (time_ms,
 *             scores: each keyword's smoothed posterior); {@code error} for a text message it cannot use, after
 *             which the stream goes on.</li>
 *         <li>A problem that ends the stream closes the socket with a close code and a reason naming it: 1008 for
 *             an unknown model or a bad query parameter (checked after the upgrade, so that browsers see the
 *             reason) and for a stream over the speed limit; 1007 for a binary message of an odd number of bytes;
 *             1009 for a message over the size limit; 1013 when the server has as many streams as it takes; 1001
 *             after the idle timeout and when the server stops.</li>
 *       </ul></li>
 * </ul>
 * Every HTTP error is a status with {@code {"error": "…"}}: 400 for a WAV that cannot be read or a bad parameter, 404
 * for an unknown model, 413 for a body over the limit, 415 for another content type, 426 for {@code /v1/listen}
 * without a WebSocket upgrade.
 */
public final class EarshotServer implements AutoCloseable {
    /**
     * Where and how much.
     *
     * @param bind         the address to listen on (127.0.0.1 unless exposing the service is meant)
     * @param port         0 for any free port
     * @param maxBodyBytes the largest request body accepted
     * @param streams      the limits of {@code WS /v1/listen}
     */
    public record Settings(String bind, int port, long maxBodyBytes, StreamLimits streams) {
        public static Settings defaults() {
            return new Settings("127.0.0.1", 8080, 16L << 20);
        }

        /** With the default {@link StreamLimits}. */
        public Settings(String bind, int port, long maxBodyBytes) {
            this(bind, port, maxBodyBytes, StreamLimits.defaults());
        }

        public Settings {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
            if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be at least 1");
            if (streams == null) throw new NullPointerException("streams");
        }
    }

    /**
     * How much {@code WS /v1/listen} takes, so that no client can take the server from the others.
     *
     * @param maxStreams      streams open at once; one more is closed with 1013 (try again later)
     * @param maxMessageBytes the largest message, binary or text; a larger one closes its stream with 1009
     * @param idleTimeout     a stream that sends nothing for this long is closed with 1001
     * @param maxSpeed        seconds of audio per second of wall time one stream may send, averaged over 5 s
     *                        ({@link AudioSpeedLimit}); a faster one is closed with 1008
     */
    public record StreamLimits(int maxStreams, int maxMessageBytes, Duration idleTimeout, double maxSpeed) {
        /** 64 streams, 128 KiB messages (4 s of 16 kHz audio), 60 s idle, 10 times real time. */
        public static StreamLimits defaults() {
            return new StreamLimits(64, 128 << 10, Duration.ofSeconds(60), 10);
        }

        public StreamLimits {
            if (maxStreams < 1) throw new IllegalArgumentException("maxStreams must be at least 1, not " + maxStreams);
            if (maxMessageBytes < 2) throw new IllegalArgumentException("maxMessageBytes must be at least 2, not " + maxMessageBytes);
            if (idleTimeout == null || idleTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("idleTimeout must be at least 1 ms, not " + idleTimeout);
            }
            if (!(maxSpeed > 0) || Double.isInfinite(maxSpeed)) {
                throw new IllegalArgumentException("maxSpeed must be a finite number above 0, not " + maxSpeed);
            }
        }
    }

    /** An error answered as {@code {"error": message}} with its HTTP status. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static final List<String> WAV_TYPES = List.of("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave",
            "application/octet-stream");

    private final Map<String, KeywordModel> models;
    private final String defaultModel;
    private final Settings settings;
    private final ListenEndpoint listen;
    private final Javalin app;

    private EarshotServer(Map<String, KeywordModel> models, String defaultModel, Settings settings) {
        this.models = Map.copyOf(models);
        this.defaultModel = defaultModel;
        this.settings = settings;
        this.listen = new ListenEndpoint(this.models, defaultModel, settings.streams());
        StreamLimits limits = settings.streams();
        this.app = Javalin.create(config -> {
            config.jetty.defaultHost = settings.bind();
            config.jetty.defaultPort = settings.port();
            config.http.maxRequestSize = settings.maxBodyBytes();
            // GET /: the browser page (index.html and the scripts it loads), from the jar: nothing to install beside it.
            config.staticFiles.add("/dev/earshot/server/web", io.javalin.http.staticfiles.Location.CLASSPATH);
            config.showJavalinBanner = false;
            config.jetty.modifyWebSocketServletFactory(ws -> {
                ws.setIdleTimeout(limits.idleTimeout());
                ws.setMaxBinaryMessageSize(limits.maxMessageBytes());
                ws.setMaxTextMessageSize(limits.maxMessageBytes());
                // Jetty cuts longer frames into pieces of this size and refuses the message once it passes the
                // limit, before buffering more; inflated (permessage-deflate) bytes count.
                ws.setMaxFrameSize(limits.maxMessageBytes());
            });
        });
        app.get("/v1/models", this::listModels);
        app.post("/v1/recognize", this::recognize);
        app.ws("/v1/listen", listen::configure);
        app.get("/v1/listen", ctx -> {
            ctx.header("Upgrade", "websocket");
            throw new Refused(426, "/v1/listen is a WebSocket: connect to ws://" + ctx.host() + "/v1/listen");
        });
        app.exception(Refused.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal error: " + e));
        app.error(404, ctx -> {  // Javalin's own 404 (no route), not a 404 this server answered
            String type = ctx.res().getContentType();
            if (type == null || !type.startsWith("application/json")) {
                error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
    }

    /**
     * Starts serving {@code models} (by name; {@code defaultModel} answers requests that name none).
     *
     * @throws IOException when the address cannot be bound (in use, or not this machine's)
     */
    public static EarshotServer start(Map<String, KeywordModel> models, String defaultModel, Settings settings)
            throws IOException {
        if (models.isEmpty()) throw new IllegalArgumentException("no models to serve");
        if (!models.containsKey(defaultModel)) {
            throw new IllegalArgumentException("the default model " + defaultModel + " is not among " + models.keySet());
        }
        EarshotServer s = new EarshotServer(models, defaultModel, settings);
        try {
            s.app.start();
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on " + settings.bind() + ":" + settings.port() + ": "
                    + rootMessage(e), e);
        }
        return s;
    }

    /** The port listened on (the one chosen when {@link Settings#port} was 0). */
    public int port() {
        return app.port();
    }

    private void listModels(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, KeywordModel> e : new java.util.TreeMap<>(models).entrySet()) {
            KeywordModel m = e.getValue();
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", e.getKey());
            j.put("default", e.getKey().equals(defaultModel));
            j.put("labels", m.labels());
            j.put("keywords", m.labels().stream().filter(m::isKeyword).toList());
            j.put("sample_rate", m.sampleRate());
            j.put("clip_ms", m.clipSamples() * 1000.0 / m.sampleRate());
            j.put("streaming", m.continuous() ? "continuous" : "windows");
            j.put("features", m.features().toMap());
            DetectionSettings d = m.detectionSettings();
            j.put("detection", d.toProvenance());
            out.add(j);
        }
        ctx.json(Map.of("models", out));
    }

    private void recognize(Context ctx) throws IOException {
        long length = ctx.contentLength();
        if (length > settings.maxBodyBytes()) {
            throw new Refused(413, "the body is " + length + " bytes, more than the " + settings.maxBodyBytes() + " accepted");
        }
        // The body is read before the parameters are checked: a connection closed on an unread body would lose the
        // answer on the way to a client still sending.
        byte[] wav = body(ctx);
        String name = ctx.queryParam("model") == null ? defaultModel : ctx.queryParam("model");
        KeywordModel m = models.get(name);
        if (m == null) {
            throw new Refused(404, "no model named '" + name + "' (loaded: "
                    + String.join(", ", new java.util.TreeSet<>(models.keySet())) + ")");
        }
        int top = 3;
        if (ctx.queryParam("top") != null) {
            try {
                top = Integer.parseInt(ctx.queryParam("top"));
            } catch (NumberFormatException e) {
                top = -1;
            }
            if (top < 1) throw new Refused(400, "top must be a whole number of at least 1, not '" + ctx.queryParam("top") + "'");
        }
        List<Prediction> ps;
        try {
            ps = m.classify(WavReader.decode(wav, "the request's WAV", m.sampleRate()).samples());
        } catch (WavFormatException e) {
            throw new Refused(400, e.getMessage());
        }
        List<Map<String, Object>> labels = new ArrayList<>();
        for (Prediction p : ps.subList(0, Math.min(top, ps.size()))) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("label", p.label());
            l.put("confidence", p.confidence());
            labels.add(l);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", name);
        out.put("predictions", labels);
        ctx.json(out);
    }

    /** The WAV bytes of a request: the body, or the first file of a form. */
    private byte[] body(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        String base = type.split(";")[0].trim();
        if (base.equals("multipart/form-data")) {
            List<UploadedFile> files = ctx.uploadedFiles();
            if (files.isEmpty()) throw new Refused(400, "the form holds no file (send the WAV as a file field)");
            try (InputStream in = files.get(0).content()) {
                return in.readAllBytes();
            }
        }
        if (!WAV_TYPES.contains(base)) {
            throw new Refused(415, "Content-Type " + (base.isEmpty() ? "(none)" : base) + ": send a WAV file as "
                    + String.join(", ", WAV_TYPES) + " or multipart/form-data");
        }
        return ctx.bodyAsBytes();
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** {@code WS /v1/listen} streams open now (each holds a spotter). */
    public int openStreams() {
        return listen.openStreams();
    }

    /** Closes the WebSocket streams with 1001 (waiting up to a second for their clients), then stops serving. */
    @Override
    public void close() {
        try {
            listen.stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        app.stop();
        listen.freeAll();
    }
}
