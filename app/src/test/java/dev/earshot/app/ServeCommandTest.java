package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code earshot serve}'s bad options are refused before anything listens (the server itself: EarshotServerTest). */
class ServeCommandTest {
    @Test
    void badOptionsAreRefused() {
        String[][] cases = {
                {"--port must be", "serve", "--port", "70000"},
                {"--max-body-mb must be", "serve", "--max-body-mb", "0"},
                {"--model", "serve", "--model", "no-such-model.earshot"},
                {"a model named 'default' is served already", "serve", "--model", "default", "--model", "default"},
        };
        for (String[] c : cases) {
            var r = TrainEvalRecognizeTest.run(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.exit(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[0]), c[0] + ": " + r.err());
        }
    }

    @Test
    void theWyomingPortIsCheckedAndBoundOnTheBindAddress() throws Exception {
        var r = TrainEvalRecognizeTest.run("serve", "--wyoming-port", "70000");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--wyoming-port must be from 0 to 65535, not 70000"), r.err());
        // A port in use: the Wyoming service is started on --bind after the HTTP one, and its failure ends both.
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            r = TrainEvalRecognizeTest.run("serve", "--port", "0", "--wyoming-port", Integer.toString(taken.getLocalPort()));
        }
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.out().contains("serving default on http://127.0.0.1:"), r.out());
        assertTrue(r.err().contains("cannot listen on 127.0.0.1:"), r.err());
    }
}
