package dev.earshot.app.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress bar: redrawn in place (carriage return) at most a few times a second while an epoch runs,
 * then one permanent line per epoch with its numbers and the time left. The bar only on a terminal
 * ({@link dev.earshot.app.Terminal}); elsewhere (a log file, a pipe) the lines per epoch alone.
 */
final class Progress {
    private final PrintStream out;
    private final int epochs;
    private final boolean live;
    private long lastDraw;
    private double secondsSoFar;
    private int epochsTimed;

    Progress(PrintStream out, int epochs) {
        this.out = out;
        this.epochs = epochs;
        this.live = dev.earshot.app.Terminal.live(out);  // not into a log file, not on TERM=dumb
    }

    void batch(int epoch, int done, int total, double loss, double acc, long t0) {
        if (!live) return;
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done < total) return;
        lastDraw = now;
        double secs = (now - t0) / 1e9;
        int width = 30, filled = (int) ((long) width * done / total);
        out.printf(Locale.ROOT, "\repoch %d/%d [%s%s] %3d%% loss %.3f acc %.3f %6.0f clips/s", epoch, epochs,
                "=".repeat(filled), " ".repeat(width - filled), 100L * done / total, loss, acc, done / Math.max(secs, 1e-9));
        out.flush();
    }

    void epochDone(History.Epoch e, double bestAcc, int bestEpoch) {
        secondsSoFar += e.seconds();
        epochsTimed++;
        double eta = secondsSoFar / epochsTimed * (epochs - e.epoch());
        out.printf(Locale.ROOT, "%sepoch %d/%d loss %.4f acc %.4f val %.4f (best %.4f @%d) lr %.2e %.0f clips/s %.1fs ETA %s%n",
                live ? "\r" : "", e.epoch(), epochs, e.trainLoss(), e.trainAccuracy(), e.validationAccuracy(), bestAcc,
                bestEpoch, e.learningRate(), e.clipsPerSecond(), e.seconds(), clock(eta));
        out.flush();
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
