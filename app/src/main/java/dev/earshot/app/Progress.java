package dev.earshot.app;

import dev.earshot.training.History;
import dev.earshot.training.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code train}'s progress: news lines as they come, a bar redrawn in place (carriage return) at most a few times a
 * second while an epoch runs, then one permanent line per epoch with its numbers and the time left. The bar only on
 * a terminal ({@link Terminal}); elsewhere (a log file, a pipe) the lines alone.
 */
final class Progress implements TrainingListener {
    private final PrintStream out;
    private final boolean live;
    private long lastDraw;
    private double secondsSoFar;
    private int epochsTimed;

    Progress(PrintStream out) {
        this.out = out;
        this.live = Terminal.live(out);  // not into a log file, not on TERM=dumb
    }

    @Override
    public void message(String line) {
        out.println(line);
    }

    @Override
    public void batch(int epoch, int epochs, int done, int total, double loss, double accuracy, double seconds) {
        if (!live) return;
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done < total) return;
        lastDraw = now;
        int width = 30, filled = (int) ((long) width * done / total);
        out.printf(Locale.ROOT, "\repoch %d/%d [%s%s] %3d%% loss %.3f acc %.3f %6.0f clips/s", epoch, epochs,
                "=".repeat(filled), " ".repeat(width - filled), 100L * done / total, loss, accuracy,
                done / Math.max(seconds, 1e-9));
        out.flush();
    }

    @Override
    public void epoch(History.Epoch e, int epochs, double bestAccuracy, int bestEpoch) {
        secondsSoFar += e.seconds();
        epochsTimed++;
        double eta = secondsSoFar / epochsTimed * (epochs - e.epoch());
        out.printf(Locale.ROOT, "%s%s ETA %s%n", live ? "\r" : "", TrainingListener.epochLine(e, epochs, bestAccuracy,
                bestEpoch), clock(eta));
        out.flush();
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
