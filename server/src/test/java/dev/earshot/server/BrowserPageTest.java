package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.Detection;
import dev.earshot.api.KeywordModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The page at GET /, in a real headless Chromium (Selenium over Debian's chromedriver) whose microphone is the demo
 * recording, served by a real server on a free loopback port with both bundled models and the default stream limits
 * (so the page's file pacing meets the real speed limit): the models offered and a bar with a threshold mark per
 * keyword; Start hearing the microphone as an in-process {@link dev.earshot.api.Spotter} hears the file, and Stop;
 * the demo file chosen or dropped heard exactly as the spotter hears it, and a text file refused by name; the
 * server's close reason shown; and, without Chromium, a failure that says to run scripts/setup.sh. The Start test
 * leaves a screenshot in {@link #SCREENSHOT}.
 */
class BrowserPageTest {
    static final Path DEMO = Demo.WAV.toAbsolutePath().normalize();
    /** The page with detections, for docs/serve-page.png (copied there by hand when the page changes). */
    static final Path SCREENSHOT = Path.of("target", "browser", "serve-page.png");
    static KeywordModel model, windows;
    static EarshotServer server;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        model = KeywordModel.open("default");
        windows = KeywordModel.open("windows");
        server = EarshotServer.start(Map.of("default", model, "windows", windows), "default",
                new EarshotServer.Settings("127.0.0.1", 0, 16L << 20));
        chromium = Chromium.start(DEMO);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) chromium.close();
        if (server != null) server.close();
        if (model != null) model.close();
        if (windows != null) windows.close();
    }

    static String page() {
        return "http://127.0.0.1:" + server.port() + "/";
    }

    /** Opens the page and waits until it has listed the models (its Start button is enabled then). */
    static void open() throws InterruptedException {
        chromium.driver.get(page());
        Chromium.waitFor(Duration.ofSeconds(10), "the page to list the models",
                () -> chromium.driver.findElement(By.id("start")).isEnabled());
    }

    @Test
    void offersTheServedModelsWithABarAndThresholdPerKeyword() throws Exception {
        open();
        assertEquals("Earshot", chromium.driver.getTitle());
        List<WebElement> options = chromium.driver.findElements(By.cssSelector("#model option"));
        assertEquals(List.of("default", "windows"), options.stream().map(WebElement::getText).toList());
        assertTrue(options.get(0).isSelected(), "the server's default model is chosen");
        List<WebElement> bars = chromium.driver.findElements(By.cssSelector("#bars li[data-label]"));
        List<String> keywords = model.labels().stream().filter(model::isKeyword).toList();
        assertEquals(keywords, bars.stream().map(b -> b.getAttribute("data-label")).toList());
        for (WebElement bar : bars) {
            String label = bar.getAttribute("data-label");
            WebElement mark = bar.findElement(By.cssSelector(".threshold"));
            assertEquals(model.detectionSettings().thresholdFor(label), Float.parseFloat(mark.getAttribute("data-threshold")),
                    1e-6f, label);
            assertEquals(label, bar.findElement(By.cssSelector("[role=meter]")).getAccessibleName(), "the meter's name");
        }
        assertEquals("idle", chromium.driver.findElement(By.id("status")).getAttribute("data-state"));

        // Another model's marks are its own (the two are tuned apart: the windows model's differ).
        assertTrue(keywords.stream().anyMatch(k -> windows.detectionSettings().thresholdFor(k)
                != model.detectionSettings().thresholdFor(k)));
        chromium.driver.findElement(By.cssSelector("#model option[value='windows']")).click();
        for (WebElement bar : chromium.driver.findElements(By.cssSelector("#bars li[data-label]"))) {
            String label = bar.getAttribute("data-label");
            assertEquals(windows.detectionSettings().thresholdFor(label),
                    Float.parseFloat(bar.findElement(By.cssSelector(".threshold")).getAttribute("data-threshold")), 1e-6f,
                    "the windows model's threshold for " + label);
        }
    }

    /** A detection as the page's log shows it. */
    record Logged(String label, long timeMs, float confidence) {}

    /** The log's entries from {@code source} ("microphone" or "file"), oldest first (the page shows newest first). */
    static List<Logged> logged(String source) {
        List<Logged> out = new ArrayList<>();
        for (WebElement e : chromium.driver.findElements(By.cssSelector("#log li[data-source='" + source + "']"))) {
            out.add(new Logged(e.getAttribute("data-label"), Long.parseLong(e.getAttribute("data-time-ms")),
                    Float.parseFloat(e.getAttribute("data-confidence"))));
        }
        Collections.reverse(out);
        return out;
    }

    /** Each keyword's score as its bar shows it now. */
    static Map<String, Double> bars() {
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = (Map<String, Object>) chromium.driver.executeScript("return Object.fromEntries("
                + "[...document.querySelectorAll('#bars li[data-label]')].map(b => [b.dataset.label,"
                + " Number(b.querySelector('[role=meter]').getAttribute('aria-valuenow'))]));");
        Map<String, Double> out = new HashMap<>();
        shown.forEach((label, score) -> out.put(label, ((Number) score).doubleValue()));
        return out;
    }

    static String state() {
        return chromium.driver.findElement(By.id("status")).getAttribute("data-state");
    }

    static long heardMs() {
        return Long.parseLong(chromium.driver.findElement(By.id("clock")).getAttribute("data-heard-ms"));
    }

    static String problem() {
        WebElement p = chromium.driver.findElement(By.id("problem"));
        return p.isDisplayed() ? p.getText() : "";
    }

    /**
     * Start with the demo recording as the microphone (Chromium loops it, resampled to the device's rate, from its
     * start when the capture opens): the first loop's detections are those of an in-process spotter over the file
     * played twice (as the loop plays it): the same labels in the same order, and each at about the spotter's time.
     * Labels and order must not change; times and confidences do, a little: the capture plays some audio before the
     * page connects it (0 to 20 ms measured, as the page readies its audio graph before it opens the microphone), and
     * a word near its threshold crosses it up to 100 ms apart once the audio went to 44.1 kHz in the browser and back
     * to 16 kHz on the server. So the median shift is bounded (−50 to 500 ms) and each detection within 200 ms of it,
     * well under the 1.5 s between two commands. Each detected word's bar reached its threshold; Stop ends the stream.
     */
    @Test
    void startHearsTheMicrophoneAsASpotterHearsTheFile() throws Exception {
        open();
        short[] pcm = Demo.pcm();
        long durationMs = pcm.length * 1000L / Demo.RATE;
        short[] twice = new short[2 * pcm.length];
        System.arraycopy(pcm, 0, twice, 0, pcm.length);
        System.arraycopy(pcm, 0, twice, pcm.length, pcm.length);
        List<Detection> want = Demo.heard(model, model.detectionSettings(), Demo.RATE, twice).stream()
                .filter(d -> d.timeMs() < durationMs).toList();
        assertTrue(want.size() >= 5, "the reference hears the demo's commands: " + want);
        // A detection heard before the file's length is of the first loop: the second loop's first one comes more
        // than a second after it starts, far more than the capture can lose.
        assertTrue(Demo.heard(model, model.detectionSettings(), Demo.RATE, twice).stream()
                .filter(d -> d.timeMs() >= durationMs).allMatch(d -> d.timeMs() > durationMs + 1000));

        chromium.driver.findElement(By.id("start")).click();
        Chromium.waitFor(Duration.ofSeconds(15), "the page to listen", () -> state().equals("listening"));
        // The first loop, and enough of the second for the last word of the first to be decided; meanwhile the
        // highest score each bar showed.
        Map<String, Double> highest = new HashMap<>();
        Chromium.waitFor(Duration.ofSeconds(2 * durationMs / 1000 + 30), "the page to hear past the first loop", () -> {
            bars().forEach((label, score) -> highest.merge(label, score, Math::max));
            return heardMs() > durationMs + 1500 || !state().equals("listening");
        });
        assertEquals("listening", state(), chromium.driver.findElement(By.id("status")).getText());
        List<Logged> got = logged("microphone").stream().filter(d -> d.timeMs() < durationMs).toList();
        chromium.screenshot(SCREENSHOT);

        assertEquals(want.stream().map(Detection::label).toList(), got.stream().map(Logged::label).toList(),
                "want " + want + ", the page showed " + got);
        long[] early = new long[want.size()];
        for (int i = 0; i < early.length; i++) early[i] = want.get(i).timeMs() - got.get(i).timeMs();
        long common = Arrays.stream(early).sorted().toArray()[early.length / 2];
        String how = "each detection this much earlier than the spotter's (ms): " + Arrays.toString(early);
        assertTrue(common >= -50 && common <= 500, how);
        assertTrue(Arrays.stream(early).allMatch(e -> Math.abs(e - common) <= 200), how);
        for (int i = 0; i < early.length; i++) {
            assertEquals(want.get(i).confidence(), got.get(i).confidence(), 0.1f, "confidence of " + got.get(i));
        }
        for (Logged d : got) {  // a detection is a smoothed score over its threshold, which the bar showed
            float threshold = model.detectionSettings().thresholdFor(d.label());
            assertTrue(highest.get(d.label()) >= threshold, d.label() + "'s bar reached " + highest.get(d.label())
                    + ", not its threshold " + threshold);
        }
        assertEquals("", problem());

        chromium.driver.findElement(By.id("stop")).click();
        Chromium.waitFor(Duration.ofSeconds(5), "Stop to end the stream", () -> state().equals("stopped"));
        long stoppedAt = heardMs();
        Thread.sleep(1000);
        assertEquals(stoppedAt, heardMs(), "nothing heard after Stop");
        assertTrue(chromium.driver.findElement(By.id("start")).isEnabled());
        Chromium.waitFor(Duration.ofSeconds(5), "the server to close the stream too", () -> server.openStreams() == 0);
    }

    /**
     * The demo recording chosen in the file input goes over a fresh socket at its own rate, 16 kHz, as the samples
     * the WAV holds: the log shows exactly what an in-process spotter hears in the file, label, time and confidence.
     */
    @Test
    void aChosenWavFileIsHeardAsASpotterHearsIt() throws Exception {
        open();
        chromium.driver.findElement(By.id("file")).sendKeys(DEMO.toString());
        assertHeardTheDemoFile();
    }

    /** The same file dropped on the drop box (a drop event carrying it, as a drag from the desktop gives). */
    @Test
    void aDroppedWavFileIsHeardAsASpotterHearsIt() throws Exception {
        open();
        chromium.driver.executeScript("""
                const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
                const files = new DataTransfer();
                files.items.add(new File([bytes], 'commands.wav', {type: 'audio/wav'}));
                document.getElementById('drop').dispatchEvent(
                    new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true}));
                """, Base64.getEncoder().encodeToString(Files.readAllBytes(DEMO)));
        assertHeardTheDemoFile();
    }

    /** The page streamed the demo file to its end and logged exactly what an in-process spotter hears in it. */
    static void assertHeardTheDemoFile() throws Exception {
        List<Detection> want = Demo.heard(model, model.detectionSettings(), Demo.RATE, Demo.pcm());
        Chromium.waitFor(Duration.ofSeconds(60), "the file to be heard to its end",
                () -> List.of("done", "closed", "error").contains(state()));
        assertEquals("done", state(), chromium.driver.findElement(By.id("status")).getText());
        assertEquals(want.stream().map(d -> new Logged(d.label(), d.timeMs(), d.confidence())).toList(), logged("file"));
        assertEquals("", problem());
        Chromium.waitFor(Duration.ofSeconds(5), "the server to close the file's stream", () -> server.openStreams() == 0);
    }

    /** A file that is not audio: the page says it cannot decode it, naming it, and sends nothing. */
    @Test
    void aFileThatIsNotAudioIsRefusedByName() throws Exception {
        open();
        chromium.driver.findElement(By.id("file")).sendKeys(Demo.TRUTH.toAbsolutePath().normalize().toString());
        Chromium.waitFor(Duration.ofSeconds(10), "the page to refuse the file", () -> state().equals("error"));
        String status = chromium.driver.findElement(By.id("status")).getText();
        assertTrue(status.startsWith("Cannot decode commands.txt:"), status);
        assertEquals(0, server.openStreams());
        assertTrue(chromium.driver.findElement(By.id("start")).isEnabled());
    }

    /** A model the server does not have: the server closes the socket, and the page shows its code and reason. */
    @Test
    void showsWhyTheServerClosedTheStream() throws Exception {
        open();
        chromium.driver.executeScript("const m = document.getElementById('model');"
                + "m.append(new Option('nonesuch', 'nonesuch')); m.value = 'nonesuch';");
        chromium.driver.findElement(By.id("start")).click();
        Chromium.waitFor(Duration.ofSeconds(15), "the stream to close", () -> state().equals("closed"));
        String status = chromium.driver.findElement(By.id("status")).getText();
        assertTrue(status.contains("1008") && status.contains("no model named 'nonesuch'"), status);
        assertTrue(chromium.driver.findElement(By.id("start")).isEnabled(), "Start again after a refusal");
    }

    @Test
    void withoutChromiumTheTestsFailSayingToRunSetup() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Chromium.start(Path.of("/nonexistent/chromium"), Chromium.DRIVER, DEMO));
        assertTrue(e.getMessage().contains("/nonexistent/chromium is missing") && e.getMessage().contains("scripts/setup.sh"),
                e.getMessage());
    }
}
