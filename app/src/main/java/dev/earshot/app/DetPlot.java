package dev.earshot.app;

import dev.earshot.app.StreamingEval.DetPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
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
        System.setProperty("java.awt.headless", "true");
        int w = 800, h = 540, x0 = 80, y0 = 50, pw = 680, ph = 400;  // room below for two lines of text
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
        int lo = minPositive == Double.POSITIVE_INFINITY ? 0 : (int) Math.floor(Math.log10(minPositive) + 1e-9);
        int hi = max <= 0 ? lo + 1 : Math.max(lo + 1, (int) Math.ceil(Math.log10(max) - 1e-9));
        int zeroGap = zero ? 60 : 0;  // px from the axis's left end to the first decade, where zero sits
        double decadePx = (pw - zeroGap) / (double) (hi - lo);
        java.util.function.DoubleToIntFunction xOf = v -> v <= 0 ? x0 + zeroGap / 3
                : x0 + zeroGap + (int) Math.round((Math.log10(v) - lo) * decadePx);
        double yMax = Math.max(10, Math.min(100, Math.ceil(maxMiss / 10) * 10));
        double yStep = yMax <= 20 ? 2 : yMax <= 50 ? 5 : 10;
        java.util.function.DoubleToIntFunction yOf = v -> y0 + ph - (int) Math.round(ph * v / yMax);

        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        // Grid: every decade labelled, 2 and 5 within it faint; miss rate every step.
        Color grid = new Color(225, 225, 225), faint = new Color(240, 240, 240);
        for (int d = lo; d <= hi; d++) {
            for (int k : new int[] {1, 2, 5}) {
                double v = k * Math.pow(10, d);
                if (d == hi && k > 1) break;
                int x = xOf.applyAsInt(v);
                g.setColor(k == 1 ? grid : faint);
                g.drawLine(x, y0, x, y0 + ph);
                if (k == 1) {
                    String label = decade(d);
                    g.setColor(Color.BLACK);
                    g.drawString(label, x - fm.stringWidth(label) / 2, y0 + ph + 16);
                }
            }
        }
        g.setColor(Color.BLACK);
        if (zero) {
            int zx = xOf.applyAsInt(0);
            g.drawString("0", zx - fm.stringWidth("0") / 2, y0 + ph + 16);
        }
        for (double v = 0; v <= yMax + 1e-9; v += yStep) {
            int y = yOf.applyAsInt(v);
            g.setColor(grid);
            g.drawLine(x0, y, x0 + pw, y);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%.0f", v);
            g.drawString(label, x0 - 8 - fm.stringWidth(label), y + 4);
        }
        g.drawRect(x0, y0, pw, ph);
        String xLabel = "false accepts per hour (log scale)";
        g.drawString(xLabel, x0 + (pw - fm.stringWidth(xLabel)) / 2, y0 + ph + 36);
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
            g.drawString(text, (w - fm.stringWidth(text)) / 2, y0 + ph + 58 + 16 * line);
            rest = rest.substring(Math.min(rest.length(), text.length())).trim();
            if (text.endsWith("…")) break;
        }
        g.setColor(Color.BLACK);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        String yLabel = "miss rate of the command words (%)";
        g.drawString(yLabel, -(y0 + (ph + fm.stringWidth(yLabel)) / 2), 24);
        g.setTransform(saved);
        g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
        String title = "DET curve: one threshold for every keyword, 0.05 to 0.99";
        g.drawString(title, x0 + (pw - g.getFontMetrics().stringWidth(title)) / 2, 30);
        g.setFont(g.getFont().deriveFont(Font.PLAIN, 11f));
        fm = g.getFontMetrics();

        // Curves, then a few thresholds named on each where the label has room (on a white patch, over the lines).
        int i = 0;
        for (List<DetPoint> c : curves.values()) {
            g.setColor(COLORS[i++ % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (DetPoint p : c) {
                int x = xOf.applyAsInt(p.falseAcceptsPerHour()), y = yOf.applyAsInt(Math.min(yMax, p.missPercent()));
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 2, y - 2, 5, 5);
                px = x;
                py = y;
            }
        }
        List<Rectangle> taken = new ArrayList<>();
        i = 0;
        for (List<DetPoint> c : curves.values()) {
            Color color = COLORS[i++ % COLORS.length];
            for (DetPoint p : c) {
                int pct = Math.round(p.threshold() * 100);
                if (pct % 20 != 10) continue;  // 0.10, 0.30, 0.50, 0.70, 0.90
                String label = String.format(Locale.ROOT, "%.2f", p.threshold());
                int x = xOf.applyAsInt(p.falseAcceptsPerHour()) + 5, y = yOf.applyAsInt(Math.min(yMax, p.missPercent())) - 5;
                Rectangle r = new Rectangle(x, y - fm.getAscent(), fm.stringWidth(label), fm.getHeight());
                if (r.x + r.width > x0 + pw || r.y < y0 || taken.stream().anyMatch(t -> t.intersects(r))) continue;
                taken.add(r);
                g.setColor(new Color(255, 255, 255, 210));
                g.fillRect(r.x - 1, r.y, r.width + 2, r.height);
                g.setColor(color);
                g.drawString(label, x, y);
            }
        }
        // Legend, top right, where a DET curve (high misses at few false accepts) seldom goes.
        int lw = 0;
        for (String name : curves.keySet()) lw = Math.max(lw, fm.stringWidth(name));
        int lx = Math.max(x0 + 10, x0 + pw - lw - 40), ly = y0 + 10;
        g.setColor(Color.WHITE);
        g.fillRect(lx - 6, ly - 4, lw + 40, curves.size() * 16 + 6);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(lx - 6, ly - 4, lw + 40, curves.size() * 16 + 6);
        i = 0;
        for (String name : curves.keySet()) {
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int y = ly + 8 + 16 * i;
            g.drawLine(lx, y, lx + 22, y);
            g.setColor(Color.BLACK);
            g.drawString(name, lx + 28, y + 4);
            i++;
        }
        g.dispose();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", buf);
        return buf.toByteArray();
    }

    /** 10^d as a round number: 0.01, 0.1, 1, 10, 100, 1000 … */
    private static String decade(int d) {
        return d >= 0 ? Long.toString((long) Math.pow(10, d)) : java.math.BigDecimal.ONE.movePointLeft(-d).toPlainString();
    }
}
