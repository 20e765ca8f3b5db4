package dev.earshot.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A training task's progress lines, sent to the driver as they happen: executors' stderr is a file on their machine,
 * and a user at the driver wants to see each epoch. The driver listens ({@link #listen}); replica 0 connects
 * ({@link #connect}) and writes lines. Best effort: if the driver cannot be reached, the lines stay in the executor's
 * log and training goes on.
 */
public final class ProgressLines implements AutoCloseable {
    private final ServerSocket server;
    private final Thread reader;

    private ProgressLines(ServerSocket server, Consumer<String> sink) {
        this.server = server;
        this.reader = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) sink.accept(line);
                } catch (IOException e) {
                    // closed, or a task that died mid-line: a retried task connects again
                }
            }
        }, "earshot-progress");
        reader.setDaemon(true);
        reader.start();
    }

    /** Listens on {@code host} (the driver's address as executors see it); lines go to {@code sink}. */
    public static ProgressLines listen(String host, Consumer<String> sink) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(host, 0));
        return new ProgressLines(s, sink);
    }

    /** "host:port" for the tasks. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** A writer of lines to the driver at {@code address}, or a writer to stderr when it cannot be reached. */
    public static PrintWriter connect(String address) {
        if (address != null) {
            try {
                int colon = address.lastIndexOf(':');
                Socket s = new Socket();
                s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 5000);
                Writer w = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
                return new PrintWriter(w, true) {
                    @Override
                    public void close() {
                        super.close();
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                };
            } catch (IOException | RuntimeException e) {
                System.err.println("earshot: progress goes to this log, the driver at " + address + " is not reachable: " + e);
            }
        }
        return new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true) {
            @Override
            public void close() {
                flush();  // never close the process's stderr
            }
        };
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
