package dev.earshot.server;

/**
 * How fast one stream may send audio: at most {@code speed} seconds of audio per second of wall time, averaged over
 * {@link #WINDOW_SECONDS}. A token bucket of audio seconds that holds {@code speed × WINDOW_SECONDS} and starts full,
 * so a client may send that much at once (a recording's start, a catch-up after a network stall) and then keep
 * {@code speed} times real time; any stretch of {@code t} seconds carries at most {@code speed × (t + WINDOW_SECONDS)}
 * seconds of audio (plus one message: a message longer than the whole allowance passes when the bucket is full, and
 * leaves it in debt, so that no message size is refused at every speed). Not thread-safe: one per stream, used under
 * its lock.
 */
final class AudioSpeedLimit {
    /** The averaging window, in seconds of wall time. */
    static final double WINDOW_SECONDS = 5;

    private final double speed, capacity;
    private double seconds;  // audio that may still be sent now
    private long lastNanos;

    /**
     * @param speed     seconds of audio per second of wall time, a finite number above 0
     * @param nowNanos  the wall time ({@link System#nanoTime()}) at which the stream opened
     */
    AudioSpeedLimit(double speed, long nowNanos) {
        if (!(speed > 0) || Double.isInfinite(speed)) throw new IllegalArgumentException("speed must be a finite number above 0, not " + speed);
        this.speed = speed;
        this.capacity = speed * WINDOW_SECONDS;
        this.seconds = capacity;
        this.lastNanos = nowNanos;
    }

    /**
     * Takes {@code audioSeconds} from the bucket at {@code nowNanos}; false (taking nothing) if they are not there
     * and the bucket is not full.
     */
    boolean take(double audioSeconds, long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            seconds = Math.min(capacity, seconds + speed * (elapsed / 1e9));
            lastNanos = nowNanos;
        }
        if (audioSeconds > seconds && seconds < capacity) return false;
        seconds -= audioSeconds;
        return true;
    }

    double speed() {
        return speed;
    }
}
