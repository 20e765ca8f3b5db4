package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.server.EarshotServer;
import dev.earshot.server.WyomingServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code earshot serve}: the models over HTTP until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve models over HTTP: GET /v1/models lists them, POST /v1/recognize?model=NAME&top=K with a "
                + "WAV body (or a multipart form) answers its top labels as JSON, the WebSocket "
                + "WS /v1/listen?model=NAME&rate=HZ spots keywords in a live stream of 16-bit PCM, and GET / is a page "
                + "that does that with the browser's microphone or a WAV file (README: Serving over HTTP). With "
                + "--wyoming-port, Home Assistant's Wyoming protocol too. Runs until stopped (Ctrl-C).",
                "Listens on 127.0.0.1 only unless --bind says otherwise (see SECURITY.md)."})
final class ServeCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "HTTP port (0: any free one; default: ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "the address to listen on; 0.0.0.0 exposes the service to the network (default: ${DEFAULT-VALUE})")
    String bind;
    @Option(names = "--model", paramLabel = "MODEL", description = "a model to serve: default, windows or a .earshot "
            + "file (served by its file name without .earshot); repeatable, the first is the default (default: default)")
    List<String> models = new ArrayList<>();
    @Option(names = "--max-body-mb", defaultValue = "16", paramLabel = "MB", description = "the largest request body (default: ${DEFAULT-VALUE})")
    double maxBodyMb;
    @Option(names = "--wyoming-port", paramLabel = "PORT", description = "also serve the models' keywords as wake words "
            + "over Home Assistant's Wyoming protocol on this TCP port, on the same --bind address (10400 is usual; "
            + "0: any free one; default: off)")
    Integer wyomingPort;
    @Option(names = "--max-streams", defaultValue = "64", paramLabel = "N",
            description = "WebSocket streams open at once; one more is closed with 1013, try again later (default: ${DEFAULT-VALUE})")
    int maxStreams;
    @Option(names = "--max-message-kb", defaultValue = "128", paramLabel = "KB",
            description = "the largest WebSocket message, audio or text; a larger one closes its stream with 1009 (default: ${DEFAULT-VALUE})")
    double maxMessageKb;
    @Option(names = "--idle-timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "a WebSocket stream that sends nothing for this long is closed with 1001 (default: ${DEFAULT-VALUE})")
    double idleTimeout;
    @Option(names = "--max-speed", defaultValue = "10", paramLabel = "X",
            description = "seconds of audio per second one stream may send, averaged over 5 s (X times 5 s may come at "
                    + "once); a faster one is closed with 1008 (default: ${DEFAULT-VALUE}, 10 times real time)")
    double maxSpeed;

    @Override
    public Integer call() throws Exception {
        Options.inRange("--port", port, 0, 65535);
        Options.positive("--max-body-mb", maxBodyMb);
        if (wyomingPort != null) Options.inRange("--wyoming-port", wyomingPort, 0, 65535);
        EarshotServer.StreamLimits limits = streamLimits();
        if (models.isEmpty()) models.add("default");
        Map<String, KeywordModel> loaded = new LinkedHashMap<>();
        CountDownLatch stopped = new CountDownLatch(1), closed = new CountDownLatch(1);
        try {
            for (String spec : models) {
                String name = KeywordModel.resourceOf(spec) != null ? spec
                        : Path.of(spec).getFileName().toString().replaceFirst("\\.earshot$", "");
                if (loaded.containsKey(name)) throw new IllegalArgumentException("--model " + spec + ": a model named '" + name + "' is served already");
                if (KeywordModel.resourceOf(spec) == null) Options.inputFile("--model", Path.of(spec));
                loaded.put(name, KeywordModel.open(spec));
            }
            String first = loaded.keySet().iterator().next();
            try (EarshotServer server = EarshotServer.start(loaded, first, new EarshotServer.Settings(bind, port,
                    (long) (maxBodyMb * 1024 * 1024), limits))) {
                System.out.printf("serving %s on http://%s:%d (GET /v1/models, POST /v1/recognize, WS /v1/listen); "
                                + "the page: http://%s:%d/; Ctrl-C stops%n",
                        String.join(", ", loaded.keySet()), host(), server.port(),
                        bind.equals("0.0.0.0") || bind.equals("::") ? "localhost" : host(), server.port());
                try (WyomingServer wyoming = startWyoming(loaded, first)) {
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        stopped.countDown();
                        // The JVM halts when the hooks end: wait for the servers to close their streams (1001) first.
                        try {
                            closed.await(5, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                    stopped.await();
                }
            }
            return 0;
        } finally {
            loaded.values().forEach(KeywordModel::close);
            closed.countDown();
        }
    }

    /** The Wyoming service beside the HTTP one when --wyoming-port asks for it; null otherwise. */
    private WyomingServer startWyoming(Map<String, KeywordModel> loaded, String defaultModel) throws java.io.IOException {
        if (wyomingPort == null) return null;
        WyomingServer wyoming = WyomingServer.start(loaded, defaultModel,
                WyomingServer.Settings.defaults().withAddress(bind, wyomingPort));
        System.out.printf("serving wake words %s over Wyoming on tcp://%s:%d%n", String.join(", ", wyoming.wakeWordNames()),
                host(), wyoming.port());
        return wyoming;
    }

    /** The bind address as a URL's host (an IPv6 address in brackets). */
    private String host() {
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }

    /** The WebSocket limits from the options, each checked with a message naming it. */
    private EarshotServer.StreamLimits streamLimits() {
        Options.inRange("--max-streams", maxStreams, 1, 100_000);
        Options.inRange("--max-message-kb", maxMessageKb, 1, 65536);
        Options.inRange("--idle-timeout", idleTimeout, 0.001, 86400);
        Options.inRange("--max-speed", maxSpeed, 0.001, 1e9);
        return new EarshotServer.StreamLimits(maxStreams, (int) (maxMessageKb * 1024),
                Duration.ofNanos((long) (idleTimeout * 1e9)), maxSpeed);
    }
}
