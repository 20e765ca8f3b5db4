package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The speed limit's arithmetic on given wall times: the allowance ahead, its refill, and a message longer than it. */
class AudioSpeedLimitTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void allowsTheWindowAheadThenTheSpeed() {
        AudioSpeedLimit l = new AudioSpeedLimit(4, 0);  // 20 s of audio ahead
        for (int i = 0; i < 20; i++) assertTrue(l.take(1, 0), "second " + i + " of the 20 ahead");
        assertFalse(l.take(0.01, 0), "nothing left at once");
        assertTrue(l.take(2, SECOND / 2), "4 times real time: 2 s of audio after half a second");
        assertFalse(l.take(0.1, SECOND / 2));
        assertTrue(l.take(20, 10 * SECOND), "refilled to the window, no more");
        assertFalse(l.take(0.1, 10 * SECOND));
        assertFalse(l.take(4.1, 11 * SECOND));
        assertTrue(l.take(4, 11 * SECOND));
    }

    @Test
    void aMessageLongerThanTheWindowPassesOnlyWhenTheAllowanceIsFull() {
        AudioSpeedLimit l = new AudioSpeedLimit(1, 0);  // 5 s ahead
        assertTrue(l.take(8, 0), "8 s at once when nothing was sent");
        assertFalse(l.take(0.5, 2 * SECOND), "3 s in debt, 1 s after 2 s");
        assertFalse(l.take(8, 7 * SECOND), "back to 4 s, not full");
        assertTrue(l.take(8, 8 * SECOND), "full again after 8 s");
    }

    @Test
    void refusesSpeedsThatAreNoLimit() {
        for (double s : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> new AudioSpeedLimit(s, 0));
        }
    }
}
