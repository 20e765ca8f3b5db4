package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The page at GET /, in a real headless Chromium (Selenium over Debian's chromedriver) whose microphone is the demo
 * recording, served by a real server on a free loopback port with the bundled models.
 */
class BrowserPageTest {
    static final Path DEMO = Path.of("..", "demo", "commands.wav").toAbsolutePath().normalize();
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
    }

    @Test
    void withoutChromiumTheTestsFailSayingToRunSetup() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Chromium.start(Path.of("/nonexistent/chromium"), Chromium.DRIVER, DEMO));
        assertTrue(e.getMessage().contains("/nonexistent/chromium is missing") && e.getMessage().contains("scripts/setup.sh"),
                e.getMessage());
    }
}
