package dev.earshot.app;

import dev.earshot.training.plot.Chart;
import dev.earshot.training.plot.Ticks;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleToIntFunction;

/**
 * {@code eval-stream --plot}: the threshold sweep, false accepts per hour against the miss rate, one point per
 * threshold (one for every keyword), labelled with the threshold where the label has room.
 */
final class SweepPlot {
    private SweepPlot() {}

    static final Color CURVE = new Color(40, 90, 200);

    /** Writes the chart of {@code curve} (per threshold: {threshold, false accepts per hour, miss %}) to {@code file}. */
    static void write(List<double[]> curve, Path file) throws IOException {
        byte[] bytes = chart(curve).png();
        dev.earshot.api.AtomicFile.write(file, o -> o.write(bytes));
    }

    static Chart chart(List<double[]> curve) {
        int w = 640, h = 440;
        Chart c = new Chart(w, h);
        Graphics2D g = c.graphics();
        double maxFa = 0, maxMiss = 0;
        for (double[] p : curve) {
            maxFa = Math.max(maxFa, p[1]);
            maxMiss = Math.max(maxMiss, p[2]);
        }
        Ticks xt = Ticks.covering(0, Math.max(1, maxFa), 8);
        Ticks yt = Ticks.covering(0, Math.max(10, Math.min(100, maxMiss)), 11);
        String xTitle = "false accepts per hour", yTitle = "miss rate of the command words (%)";

        g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
        c.textCentred("Threshold sweep: one threshold for every keyword", w / 2, 22);
        g.setFont(g.getFont().deriveFont(Font.PLAIN, 12f));
        int lastLabel = c.metrics().stringWidth(xt.label(xt.max()));
        int left = 10 + c.yAxisWidth(yt, yTitle), top = 40, right = Math.max(24, lastLabel / 2 + 12);
        int bottom = c.xAxisHeight(xTitle) + 10;
        Rectangle area = new Rectangle(left, top, w - left - right, h - top - bottom);
        DoubleToIntFunction xOf = v -> xt.at(v, area.x, area.x + area.width);
        DoubleToIntFunction yOf = v -> yt.at(Math.min(v, yt.max()), area.y + area.height, area.y);
        c.yAxis(area, yt, yOf, yTitle);
        c.xAxis(area, xt, xOf, xTitle);
        c.frame(area);

        List<Rectangle> points = new ArrayList<>();
        List<Line2D> lines = new ArrayList<>();
        g.setColor(CURVE);
        g.setStroke(new BasicStroke(2f));
        int px = -1, py = -1;
        for (double[] p : curve) {
            int x = xOf.applyAsInt(p[1]), y = yOf.applyAsInt(p[2]);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
                lines.add(new Line2D.Double(px, py, x, y));
            }
            g.fillOval(x - 3, y - 3, 7, 7);
            points.add(new Rectangle(x - 4, y - 4, 9, 9));
            px = x;
            py = y;
        }
        g.setStroke(new BasicStroke(1f));
        // The thresholds' labels: 0.30, 0.40 … first, then 0.35, 0.45 … where room is left.
        g.setFont(g.getFont().deriveFont(11f));
        List<double[]> byRoundness = new ArrayList<>(curve);
        byRoundness.sort(Comparator.comparingInt(p -> round(p) ? 0 : 1));
        for (double[] p : byRoundness) {  // a round threshold's label may cover the curve (on a white patch), others not
            c.label(String.format(Locale.ROOT, "%.2f", p[0]), xOf.applyAsInt(p[1]), yOf.applyAsInt(p[2]), CURVE, area,
                    points, lines, round(p));
        }
        return c;
    }

    private static boolean round(double[] point) {
        return Math.round(point[0] * 100) % 10 == 0;
    }
}
