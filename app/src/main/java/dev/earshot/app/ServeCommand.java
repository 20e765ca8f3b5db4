package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.server.EarshotServer;
import dev.earshot.server.WyomingServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code earshot serve}: the models over HTTP until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve models over HTTP: GET /v1/models lists them, POST /v1/recognize?model=NAME&top=K with a "
                + "WAV body (or a multipart form) answers its top labels as JSON. Runs until stopped (Ctrl-C).",
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

    @Override
    public Integer call() throws Exception {
        Options.inRange("--port", port, 0, 65535);
        Options.positive("--max-body-mb", maxBodyMb);
        if (wyomingPort != null) Options.inRange("--wyoming-port", wyomingPort, 0, 65535);
        if (models.isEmpty()) models.add("default");
        Map<String, KeywordModel> loaded = new LinkedHashMap<>();
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
                    (long) (maxBodyMb * 1024 * 1024)))) {
                System.out.printf("serving %s on http://%s:%d (GET /v1/models, POST /v1/recognize); Ctrl-C stops%n",
                        String.join(", ", loaded.keySet()), bind.contains(":") ? "[" + bind + "]" : bind, server.port());
                try (WyomingServer wyoming = startWyoming(loaded, first)) {
                    CountDownLatch stopped = new CountDownLatch(1);
                    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                    stopped.await();
                }
            }
            return 0;
        } finally {
            loaded.values().forEach(KeywordModel::close);
        }
    }

    /** The Wyoming service beside the HTTP one when --wyoming-port asks for it; null otherwise. */
    private WyomingServer startWyoming(Map<String, KeywordModel> loaded, String defaultModel) throws java.io.IOException {
        if (wyomingPort == null) return null;
        WyomingServer wyoming = WyomingServer.start(loaded, defaultModel,
                WyomingServer.Settings.defaults().withAddress(bind, wyomingPort));
        System.out.printf("serving wake words %s over Wyoming on tcp://%s:%d%n", String.join(", ", wyoming.wakeWordNames()),
                bind.contains(":") ? "[" + bind + "]" : bind, wyoming.port());
        return wyoming;
    }
}
