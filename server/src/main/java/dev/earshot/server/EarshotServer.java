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
 * </ul>
 * Every error is a status with {@code {"error": "…"}}: 400 for a WAV that cannot be read or a bad parameter, 404 for
 * an unknown model, 413 for a body over the limit, 415 for another content type.
 */
public final class EarshotServer implements AutoCloseable {
    /**
     * Where and how much.
     *
     * @param bind         the address to listen on (127.0.0.1 unless exposing the service is meant)
     * @param port         0 for any free port
     * @param maxBodyBytes the largest request body accepted
     */
    public record Settings(String bind, int port, long maxBodyBytes) {
        public static Settings defaults() {
            return new Settings("127.0.0.1", 8080, 16L << 20);
        }

        public Settings {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
            if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be at least 1");
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
    private final Javalin app;

    private EarshotServer(Map<String, KeywordModel> models, String defaultModel, Settings settings) {
        this.models = Map.copyOf(models);
        this.defaultModel = defaultModel;
        this.settings = settings;
        this.app = Javalin.create(config -> {
            config.jetty.defaultHost = settings.bind();
            config.jetty.defaultPort = settings.port();
            config.http.maxRequestSize = settings.maxBodyBytes();
            // GET /: the browser page (index.html and the scripts it loads), from the jar: nothing to install beside it.
            config.staticFiles.add("/dev/earshot/server/web", io.javalin.http.staticfiles.Location.CLASSPATH);
            config.showJavalinBanner = false;
        });
        app.get("/v1/models", this::listModels);
        app.post("/v1/recognize", this::recognize);
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

    @Override
    public void close() {
        app.stop();
    }
}
