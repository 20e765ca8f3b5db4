package dev.earshot.app;

import dev.earshot.app.StreamingEval.DetPoint;
import dev.earshot.training.plot.Chart;
import dev.earshot.training.plot.Ticks;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DET chart: miss rate (linear, %) against false accepts per hour on a log axis, one curve per model. The log
 * axis spreads the few-per-hour range where a keyword spotter is run; points with no false accepts at all, which a
 * log axis cannot place, sit on a "0" tick left of the first decade.
 */
final class DetPlot {
    private DetPlot() {}

    private static final Color[] COLORS = {new Color(40, 90, 200), new Color(210, 70, 40), new Color(40, 150, 70),
            new Color(150, 60, 170), new Color(200, 140, 20), new Color(60, 60, 60)};

    /** The chart as PNG bytes; {@code falseAcceptStream} names where the false accepts were counted. */
    static byte[] png(Map<String, List<DetPoint>> curves, String falseAcceptStream) throws IOException {
        return chart(curves, falseAcceptStream).png();
    }

    static Chart chart(Map<String, List<DetPoint>> curves, String falseAcceptStream) {
        int w = 800, h = 540;
        double minPositive = Double.POSITIVE_INFINITY, max = 0, maxMiss = 0;
        boolean zero = false;
        for (List<DetPoint> c : curves.values()) {
            for (DetPoint p : c) {
                if (p.falseAcceptsPerHour() > 0) minPositive = Math.min(minPositive, p.falseAcceptsPerHour());
                else zero = true;
                max = Math.max(max, p.falseAcceptsPerHour());
                maxMiss = Math.max(maxMiss, p.missPercent());
            }
        }
        Chart chart = new Chart(w, h);
        Graphics2D g = chart.graphics();
        Ticks yt = Ticks.covering(0, Math.max(10, Math.min(100, maxMiss)), 11);
        String yTitle = "miss rate of the command words (%)", xTitle = "false accepts per hour (log scale)";
        int x0 = 12 + chart.yAxisWidth(yt, yTitle), y0 = 50, pw = w - x0 - 40, ph = 400;  // room below for two lines
        Rectangle area = new Rectangle(x0, y0, pw, ph);
        int lo = minPositive == Double.POSITIVE_INFINITY ? 0 : (int) Math.floor(Math.log10(minPositive) + 1e-9);
        int hi = max <= 0 ? lo + 1 : Math.max(lo + 1, (int) Math.ceil(Math.log10(max) - 1e-9));
        int zeroGap = zero ? 60 : 0;  // px from the axis's left end to the first decade, where zero sits
        double decadePx = (pw - zeroGap) / (double) (hi - lo);
        java.util.function.DoubleToIntFunction xOf = v -> v <= 0 ? x0 + zeroGap / 3
                : x0 + zeroGap + (int) Math.round((Math.log10(v) - lo) * decadePx);
        java.util.function.DoubleToIntFunction yOf = v -> yt.at(Math.min(v, yt.max()), y0 + ph, y0);

        FontMetrics fm = chart.metrics();
        chart.yAxis(area, yt, yOf, yTitle);
        // The log axis: every decade marked and labelled, 2 and 5 within it as faint grid lines; zero left of it all.
        Color grid = new Color(225, 225, 225), faint = new Color(240, 240, 240);
        int labelBase = y0 + ph + Chart.TICK + Chart.GAP + fm.getAscent();
        for (int d = lo; d <= hi; d++) {
            for (int k : new int[] {1, 2, 5}) {
                double v = k * Math.pow(10, d);
                if (d == hi && k > 1) break;
                int x = xOf.applyAsInt(v);
                g.setColor(k == 1 ? grid : faint);
                g.drawLine(x, y0, x, y0 + ph);
                if (k == 1) {
                    chart.mark(x, y0 + ph, x, y0 + ph + Chart.TICK);
                    g.setColor(Color.BLACK);
                    chart.textCentred(decade(d), x, labelBase);
                }
            }
        }
        if (zero) {
            int zx = xOf.applyAsInt(0);
            chart.mark(zx, y0 + ph, zx, y0 + ph + Chart.TICK);
            g.setColor(Color.BLACK);
            chart.textCentred("0", zx, labelBase);
        }
        chart.frame(area);
        g.setColor(Color.BLACK);
        int titleBase = labelBase + fm.getDescent() + Chart.GAP + 2 + fm.getAscent();
        chart.textCentred(xTitle, x0 + pw / 2, titleBase);
        // Where the false accepts were counted, wrapped at spaces to the image's width (two lines at most).
        g.setColor(Color.DARK_GRAY);
        String rest = "false accepts counted on: " + falseAcceptStream;
        for (int line = 0; line < 2 && !rest.isEmpty(); line++) {
            String text = rest;
            while (fm.stringWidth(text) > w - 20) {
                int cut = text.lastIndexOf(' ');
                text = cut > 0 ? text.substring(0, cut) : text.substring(0, text.length() - 1);
            }
            if (line == 1 && text.length() < rest.length()) text = text.substring(0, Math.max(0, text.length() - 2)) + "…";
            chart.textCentred(text, w / 2, titleBase + 22 + (fm.getHeight() + 2) * line);
            rest = rest.substring(Math.min(rest.length(), text.length())).trim();
            if (text.endsWith("…")) break;
        }
        g.setColor(Color.BLACK);
        g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
        chart.textCentred("DET curve: one threshold for every keyword, 0.05 to 0.99", x0 + pw / 2, 30);
        g.setFont(g.getFont().deriveFont(Font.PLAIN, 11f));
        fm = chart.metrics();

        // Curves, then the legend, then a few thresholds named on each where the label has room.
        int i = 0;
        for (List<DetPoint> c : curves.values()) {
            g.setColor(COLORS[i++ % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (DetPoint p : c) {
                int x = xOf.applyAsInt(p.falseAcceptsPerHour()), y = yOf.applyAsInt(p.missPercent());
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 2, y - 2, 5, 5);
                px = x;
                py = y;
            }
        }
        // Legend, top right, where a DET curve (high misses at few false accepts) seldom goes.
        int lw = 0;
        for (String name : curves.keySet()) lw = Math.max(lw, fm.stringWidth(name));
        int lx = Math.max(x0 + 10, x0 + pw - lw - 40), ly = y0 + 10;
        Rectangle legend = new Rectangle(lx - 6, ly - 4, lw + 40, curves.size() * 16 + 6);
        g.setColor(Color.WHITE);
        g.fillRect(legend.x, legend.y, legend.width, legend.height);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(legend.x, legend.y, legend.width, legend.height);
        chart.reserve(legend);
        i = 0;
        for (String name : curves.keySet()) {
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int y = ly + 8 + 16 * i;
            g.drawLine(lx, y, lx + 22, y);
            g.setColor(Color.BLACK);
            chart.text(name, lx + 28, y + 4);
            i++;
        }
        g.setStroke(new BasicStroke(1f));
        Rectangle inside = new Rectangle(x0 + 2, y0 + 2, pw - 4, ph - 4);
        i = 0;
        for (List<DetPoint> c : curves.values()) {
            Color color = COLORS[i++ % COLORS.length];
            for (DetPoint p : c) {
                int pct = Math.round(p.threshold() * 100);
                if (pct % 20 != 10) continue;  // 0.10, 0.30, 0.50, 0.70, 0.90
                String label = String.format(Locale.ROOT, "%.2f", p.threshold());
                int x = xOf.applyAsInt(p.falseAcceptsPerHour()) + 5, y = yOf.applyAsInt(p.missPercent()) - 5;
                Rectangle r = chart.box(label, x, y);
                if (!inside.contains(r) || chart.taken(new Rectangle(r.x - 2, r.y - 1, r.width + 4, r.height + 2))) continue;
                g.setColor(new Color(255, 255, 255, 210));
                g.fillRect(r.x - 1, r.y, r.width + 2, r.height);
                g.setColor(color);
                chart.text(label, x, y);
            }
        }
        return chart;
    }

    /** 10^d as a round number: 0.01, 0.1, 1, 10, 100, 1000 … */
    private static String decade(int d) {
        return d >= 0 ? Long.toString((long) Math.pow(10, d)) : java.math.BigDecimal.ONE.movePointLeft(-d).toPlainString();
    }
}
