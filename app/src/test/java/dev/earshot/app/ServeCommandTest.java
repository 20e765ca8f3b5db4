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
}
