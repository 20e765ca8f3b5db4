package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Prediction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP endpoints, served on a free loopback port and called with the JDK's HttpClient: the models listed as
 * loaded, recognition equal to {@link KeywordModel#classify} on the committed Speech Commands clips (as a body and
 * as a form), and each bad request answered with its status and a JSON error.
 */
class EarshotServerTest {
    static final Path SPEECH = Path.of("..", "audio", "src", "test", "resources", "speech");
    static KeywordModel model, windows;
    static EarshotServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        model = KeywordModel.open("default");
        windows = KeywordModel.open("windows");
        server = EarshotServer.start(Map.of("default", model, "windows", windows), "default",
                new EarshotServer.Settings("127.0.0.1", 0, 200_000));
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
        windows.close();
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static HttpResponse<String> post(String path, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) b.header("Content-Type", type);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsTheLoadedModels() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode models = json.readTree(r.body()).get("models");
        assertEquals(2, models.size());
        JsonNode d = models.get(0);
        assertEquals("default", d.get("name").asText());
        assertTrue(d.get("default").asBoolean());
        assertEquals(model.labels().size(), d.get("labels").size());
        assertEquals(10, d.get("keywords").size());
        assertEquals(16000, d.get("sample_rate").asInt());
        assertEquals("continuous", d.get("streaming").asText());
        assertEquals("windows", models.get(1).get("streaming").asText());
        assertTrue(d.get("detection").has("detection.average_ms") || d.get("detection").size() > 0, d.toString());
    }

    @Test
    void recognizesAsTheApiDoesFromABodyOrAForm() throws Exception {
        List<Path> clips;
        try (var s = Files.list(SPEECH)) {
            clips = s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertTrue(clips.size() >= 3);
        for (Path clip : clips) {
            byte[] wav = Files.readAllBytes(clip);
            for (String name : List.of("default", "windows")) {
                List<Prediction> want = (name.equals("default") ? model : windows).classify(clip);
                HttpResponse<String> r = post("/v1/recognize?top=2&model=" + name, "audio/wav", wav);
                assertEquals(200, r.statusCode(), r.body());
                JsonNode j = json.readTree(r.body());
                assertEquals(name, j.get("model").asText());
                assertEquals(2, j.get("predictions").size());
                for (int k = 0; k < 2; k++) {
                    assertEquals(want.get(k).label(), j.get("predictions").get(k).get("label").asText());
                    assertEquals(want.get(k).confidence(), (float) j.get("predictions").get(k).get("confidence").asDouble(), 0f);
                }
            }
            String boundary = "earshot-test-boundary";
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.wav\"\r\n"
                    + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] form = new byte[head.length + wav.length + tail.length];
            System.arraycopy(head, 0, form, 0, head.length);
            System.arraycopy(wav, 0, form, head.length, wav.length);
            System.arraycopy(tail, 0, form, head.length + wav.length, tail.length);
            HttpResponse<String> r = post("/v1/recognize", "multipart/form-data; boundary=" + boundary, form);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(model.classify(clip).get(0).label(),
                    json.readTree(r.body()).get("predictions").get(0).get("label").asText());
            assertEquals(3, json.readTree(r.body()).get("predictions").size(), "three labels by default");
        }
    }

    @Test
    void badRequestsGetTheirStatusAndAJsonError() throws Exception {
        byte[] wav = Files.readAllBytes(SPEECH.resolve("yes_03401e93_nohash_0.wav"));
        Object[][] cases = {
                {post("/v1/recognize", "audio/wav", new byte[] {'R', 'I', 'F', 'F', 1, 2}), 400, "WAV"},
                {post("/v1/recognize", "text/plain", wav), 415, "Content-Type text/plain"},
                {post("/v1/recognize", null, wav), 415, "Content-Type"},
                {post("/v1/recognize?model=nope", "audio/wav", wav), 404, "no model named 'nope' (loaded: default, windows)"},
                {post("/v1/recognize?top=0", "audio/wav", wav), 400, "top must be"},
                {post("/v1/recognize?top=x", "audio/wav", wav), 400, "top must be"},
                {post("/v1/nothing", "audio/wav", wav), 404, "no such endpoint"},
                {post("/v1/recognize", "audio/wav", new byte[300_000]), 413, "more than the 200000 accepted"},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            HttpResponse<String> r = (HttpResponse<String>) c[0];
            assertEquals(c[1], r.statusCode(), r.body());
            String error = json.readTree(r.body()).get("error").asText();
            assertTrue(error.contains((String) c[2]), error);
        }
    }
}
