package dev.earshot.server;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium with a WAV file as its microphone, driven through Selenium and Debian's {@code chromium} and
 * {@code chromium-driver} (scripts/setup.sh installs them). Both are given by path, so Selenium Manager looks for and
 * downloads nothing; the flags that start Chromium's own background connections are off, as this machine's network
 * refuses them, and the profile is a fresh folder removed on {@link #close}.
 */
final class Chromium implements AutoCloseable {
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    /** Quiets Selenium's warning that it has no DevTools support for this Chromium's version: no test uses DevTools. */
    private static final java.util.logging.Logger DEVTOOLS_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

    static {
        DEVTOOLS_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Starts Chromium with {@code microphone} as the capture device (it loops the file) and getUserMedia granted
     * without asking.
     *
     * @throws IllegalStateException saying to run scripts/setup.sh when chromium or chromedriver is not installed
     */
    static Chromium start(Path microphone) throws IOException {
        return start(BROWSER, DRIVER, microphone);
    }

    /** {@link #start(Path)} with this browser and driver. */
    static Chromium start(Path browser, Path driver, Path microphone) throws IOException {
        for (Path p : List.of(browser, driver)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is missing: the browser tests need Debian's chromium and "
                        + "chromium-driver; run scripts/setup.sh (as root or with sudo), which installs them");
            }
        }
        if (!Files.isRegularFile(microphone)) throw new IllegalArgumentException("no such WAV file: " + microphone);
        Path profile = Files.createTempDirectory("earshot-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900",
                "--user-data-dir=" + profile,
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + microphone.toAbsolutePath().normalize(),
                "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        try {
            return new Chromium(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            deleteTree(profile);
            throw e;
        }
    }

    /**
     * Polls {@code value} every 100 ms until it gives something other than null or false, and returns that.
     *
     * @throws AssertionError naming {@code what} when {@code timeout} passes first
     */
    static <T> T waitFor(Duration timeout, String what, Supplier<T> value) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = value.get();
            if (v != null && !Boolean.FALSE.equals(v)) return v;
            if (System.nanoTime() > end) throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
            Thread.sleep(100);
        }
    }

    /** Saves a PNG of the page as it is now. */
    void screenshot(Path png) throws IOException {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.copy(shot.toPath(), png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
