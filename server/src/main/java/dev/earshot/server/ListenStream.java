package dev.earshot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.api.SpotterListener;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One {@code WS /v1/listen} connection: its {@link Spotter} over the shared model and the protocol's state. Each
 * method takes one client message and returns the JSON text messages to send back, in order; the caller sends them
 * after the call, so no lock is held while a slow client reads. The methods are synchronized: Jetty delivers one
 * connection's messages one at a time, but a close (idle timeout, the server stopping) comes from another thread and
 * must not free the spotter under a push.
 */
final class ListenStream implements SpotterListener {
    /** Stream time between two posteriors messages. */
    static final int POSTERIORS_STEP_MS = 100;

    static final ObjectMapper JSON = new ObjectMapper();

    /** A problem that ends the stream: closed with this WebSocket close code and reason. */
    static final class Fatal extends Exception {
        final int code;

        Fatal(int code, String reason) {
            super(reason);
            this.code = code;
        }
    }

    private final String modelName;
    private final KeywordModel model;
    private final int rate;
    private final AudioSpeedLimit speed;
    private Float threshold;          // null: the model's tuned settings
    private boolean posteriors;
    private Spotter spotter;
    private long offsetMs;            // stream time at which the current spotter started (a threshold change)
    private long samples;             // input samples since the stream (re)started at time 0
    private long lastPosteriorsMs;
    private final List<String> out = new ArrayList<>();
    private boolean closed;

    ListenStream(String modelName, KeywordModel model, int rate, Float threshold, boolean posteriors,
                 AudioSpeedLimit speed) {
        this.modelName = modelName;
        this.model = model;
        this.rate = rate;
        this.threshold = threshold;
        this.posteriors = posteriors;
        this.speed = speed;
        restart(0);
    }

    /** The first message: what the stream listens with. */
    synchronized String ready() {
        ObjectNode j = message("ready");
        j.put("model", modelName);
        j.put("rate", rate);
        j.put("model_rate", model.sampleRate());
        j.put("max_speed", speed.speed());  // so a client sending a file can pace it under the limit
        model.labels().forEach(j.putArray("labels")::add);
        model.labels().stream().filter(model::isKeyword).forEach(j.putArray("keywords")::add);
        return j.toString();
    }

    /**
     * A binary message: 16-bit little-endian PCM at the stream's rate.
     *
     * @throws Fatal 1007 for an odd number of bytes, 1008 over the speed limit; the audio is not used then
     */
    synchronized List<String> audio(byte[] data, int offset, int length, long nowNanos) throws Fatal {
        if (closed) return List.of();
        if (length % 2 != 0) {
            throw new Fatal(1007, "a binary message of " + length + " bytes is not whole 16-bit samples");
        }
        int n = length / 2;
        if (!speed.take(n / (double) rate, nowNanos)) {
            throw new Fatal(1008, "over the speed limit of " + number(speed.speed())
                    + " s of audio per second (averaged over " + (int) AudioSpeedLimit.WINDOW_SECONDS + " s)");
        }
        spotter.acceptBytes(data, offset, length);
        samples += n;
        return drain();
    }

    /** A text message: a reset or a config, or an error message saying why it cannot be used. */
    synchronized List<String> text(String text) {
        if (closed) return List.of();
        JsonNode j;
        try {
            j = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return error("not JSON: " + e.getOriginalMessage());
        }
        if (j == null || !j.isObject() || !j.path("type").isTextual()) {
            return error("a text message must be a JSON object with a \"type\": reset or config");
        }
        String type = j.get("type").asText();
        switch (type) {
            case "reset" -> {
                if (j.size() > 1) return error("a reset message has only a \"type\"");
                offsetMs = 0;
                samples = 0;
                restart(0);
                out.add(message("reset").toString());
                return drain();
            }
            case "config" -> {
                return config(j);
            }
            default -> {
                return error("unknown message type '" + type + "': reset or config");
            }
        }
    }

    /** Checks every field first, so that a bad config changes nothing. */
    private List<String> config(JsonNode j) {
        Float t = threshold;
        boolean p = posteriors;
        for (Iterator<String> names = j.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode v = j.get(name);
            switch (name) {
                case "type" -> { }
                case "threshold" -> {
                    if (v.isNull()) {
                        t = null;
                    } else if (v.isNumber() && v.asDouble() > 0 && v.asDouble() <= 1) {
                        t = v.floatValue();
                    } else {
                        return error("threshold must be a number in (0, 1], or null for the model's own, not " + v);
                    }
                }
                case "posteriors" -> {
                    if (!v.isBoolean()) return error("posteriors must be true or false, not " + v);
                    p = v.booleanValue();
                }
                default -> {
                    return error("a config message has no field '" + name + "' (threshold, posteriors)");
                }
            }
        }
        posteriors = p;
        if (!java.util.Objects.equals(t, threshold)) {
            threshold = t;
            // The detector's state (smoothing, suppression) is built from its settings, so it starts afresh; the
            // stream time goes on from the audio received so far.
            restart(samples * 1000 / rate);
        }
        return drain();
    }

    private void restart(long atMs) {
        if (spotter != null) spotter.close();
        DetectionSettings d = model.detectionSettings();
        if (threshold != null) d = d.withThreshold(threshold);
        spotter = new Spotter(model, d, this, rate);
        offsetMs = atMs;
        lastPosteriorsMs = Long.MIN_VALUE;
    }

    @Override
    public void onDetection(Detection d) {
        ObjectNode j = message("detection");
        j.put("label", d.label());
        j.put("confidence", d.confidence());
        j.put("time_ms", offsetMs + d.timeMs());
        out.add(j.toString());
    }

    @Override
    public void onPosteriors(long timeMs, float[] posteriors, float[] smoothed) {
        if (!this.posteriors) return;
        long t = offsetMs + timeMs;
        if (lastPosteriorsMs != Long.MIN_VALUE && t - lastPosteriorsMs < POSTERIORS_STEP_MS) return;
        lastPosteriorsMs = t;
        ObjectNode j = message("posteriors");
        j.put("time_ms", t);
        ObjectNode scores = j.putObject("scores");
        for (int k = 0; k < smoothed.length; k++) {
            if (model.isKeyword(k)) scores.put(model.labels().get(k), smoothed[k]);
        }
        out.add(j.toString());
    }

    private List<String> error(String why) {
        out.add(message("error").put("error", why).toString());
        return drain();
    }

    /** 10 as "10", 2.5 as "2.5". */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static ObjectNode message(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    private List<String> drain() {
        List<String> r = List.copyOf(out);
        out.clear();
        return r;
    }

    /** Frees the spotter's native state; later messages are ignored. */
    synchronized void close() {
        if (closed) return;
        closed = true;
        spotter.close();
    }
}
