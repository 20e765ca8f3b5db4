package dev.earshot.training.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.DoubleToIntFunction;

/**
 * A PNG chart drawn with Java2D (headless), shared by the threshold sweep, the DET curve and the training report:
 * round ticks ({@link Ticks}) with tick marks outside the frame and their labels beside them, axis titles clear of
 * the labels, and labels at data points placed where they overprint nothing. Every text and tick mark drawn is
 * remembered, so a test can check that none overlaps another and nothing leaves the image.
 */
public final class Chart {
    /** Length of a tick mark, outside the frame, and the gap between it and its label. */
    public static final int TICK = 5, GAP = 3;

    private final BufferedImage image;
    private final Graphics2D g;
    private final List<Rectangle> texts = new ArrayList<>();
    private final List<String> strings = new ArrayList<>();
    private final List<Line2D> marks = new ArrayList<>();
    private final List<Rectangle> reserved = new ArrayList<>();
    private final List<List<String>> axisLabels = new ArrayList<>();

    public Chart(int width, int height) {
        System.setProperty("java.awt.headless", "true");
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
    }

    public Graphics2D graphics() {
        return g;
    }

    public BufferedImage image() {
        return image;
    }

    public FontMetrics metrics() {
        return g.getFontMetrics();
    }

    /** Every text's box drawn so far (the rotated ones as they stand), in drawing order. */
    public List<Rectangle> texts() {
        return Collections.unmodifiableList(texts);
    }

    /** The texts themselves, in the order of {@link #texts()}. */
    public List<String> strings() {
        return Collections.unmodifiableList(strings);
    }

    /** Every tick mark drawn so far. */
    public List<Line2D> marks() {
        return Collections.unmodifiableList(marks);
    }

    /** The tick labels of each linear axis drawn ({@link #xAxis}, {@link #yAxis}), lowest value first. */
    public List<List<String>> axisLabels() {
        return Collections.unmodifiableList(axisLabels);
    }

    /** The box {@code s} takes with its baseline's left end at (x, baseline), in the current font. */
    public Rectangle box(String s, int x, int baseline) {
        FontMetrics fm = g.getFontMetrics();
        return new Rectangle(x, baseline - fm.getAscent(), fm.stringWidth(s), fm.getAscent() + fm.getDescent());
    }

    /** Draws {@code s} from (x, baseline) in the current colour and font; returns its box. */
    public Rectangle text(String s, int x, int baseline) {
        g.drawString(s, x, baseline);
        return remember(s, box(s, x, baseline));
    }

    /** Draws {@code s} centred on {@code cx}. */
    public Rectangle textCentred(String s, int cx, int baseline) {
        return text(s, cx - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    /** Draws {@code s} ending at {@code right}. */
    public Rectangle textRight(String s, int right, int baseline) {
        return text(s, right - g.getFontMetrics().stringWidth(s), baseline);
    }

    /** Draws {@code s} reading upwards, its left edge (top of the letters) at {@code left}, centred on {@code cy}. */
    public Rectangle textUp(String s, int left, int cy) {
        FontMetrics fm = g.getFontMetrics();
        int w = fm.stringWidth(s);
        AffineTransform saved = g.getTransform();
        g.translate(left + fm.getAscent(), cy + w / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(s, 0, 0);
        g.setTransform(saved);
        return remember(s, new Rectangle(left, cy - w / 2, fm.getAscent() + fm.getDescent(), w));
    }

    private Rectangle remember(String s, Rectangle r) {
        texts.add(r);
        strings.add(s);
        return r;
    }

    /** Keeps labels placed from now on off {@code r} (a legend, say). */
    public void reserve(Rectangle r) {
        reserved.add(new Rectangle(r));
    }

    /** Whether {@code r} overlaps a text, tick mark or reserved place drawn so far. */
    public boolean taken(Rectangle r) {
        for (Rectangle t : texts) if (t.intersects(r)) return true;
        for (Rectangle t : reserved) if (t.intersects(r)) return true;
        for (Line2D m : marks) if (m.intersects(r)) return true;
        return false;
    }

    /** The frame of the plot area. */
    public void frame(Rectangle area) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(area.x, area.y, area.width, area.height);
    }

    /**
     * The x axis under {@code area}: a faint grid line, a tick mark and a label per tick; {@code title} centred below.
     * Returns the bottom of what was drawn.
     */
    public int xAxis(Rectangle area, Ticks t, DoubleToIntFunction xOf, String title) {
        FontMetrics fm = g.getFontMetrics();
        int labelBase = area.y + area.height + TICK + GAP + fm.getAscent();
        List<String> labels = new ArrayList<>();
        axisLabels.add(labels);
        for (double v : t.values()) {
            int x = xOf.applyAsInt(v);
            grid(x, area.y, x, area.y + area.height);
            mark(x, area.y + area.height, x, area.y + area.height + TICK);
            String label = t.label(v);
            Rectangle r = box(label, x - fm.stringWidth(label) / 2, labelBase);
            if (taken(r)) continue;  // a neighbour's label is there: the mark alone
            g.setColor(Color.BLACK);
            textCentred(label, x, labelBase);
            labels.add(label);
        }
        int bottom = labelBase + fm.getDescent();
        if (title != null) {
            g.setColor(Color.BLACK);
            bottom = textCentred(title, area.x + area.width / 2, bottom + GAP + 2 + fm.getAscent()).y + fm.getHeight();
        }
        return bottom;
    }

    /**
     * The y axis left of {@code area}: grid, tick marks, labels right-aligned against the marks, and {@code title}
     * reading upwards left of the widest label. Returns the left edge of what was drawn.
     */
    public int yAxis(Rectangle area, Ticks t, DoubleToIntFunction yOf, String title) {
        FontMetrics fm = g.getFontMetrics();
        int right = area.x - TICK - GAP, widest = 0;
        List<String> labels = new ArrayList<>();
        axisLabels.add(labels);
        for (double v : t.values()) {
            int y = yOf.applyAsInt(v);
            grid(area.x, y, area.x + area.width, y);
            mark(area.x - TICK, y, area.x, y);
            g.setColor(Color.BLACK);
            String label = t.label(v);
            widest = Math.max(widest, fm.stringWidth(label));
            textRight(label, right, y + (fm.getAscent() - fm.getDescent()) / 2);
            labels.add(label);
        }
        int left = right - widest;
        if (title != null) {
            left -= GAP + 3 + fm.getAscent() + fm.getDescent();
            g.setColor(Color.BLACK);
            textUp(title, left, area.y + area.height / 2);
        }
        return left;
    }

    /** How wide the y axis's tick labels and title are (what {@link #yAxis} needs left of the plot area). */
    public int yAxisWidth(Ticks t, String title) {
        FontMetrics fm = g.getFontMetrics();
        int widest = 0;
        for (double v : t.values()) widest = Math.max(widest, fm.stringWidth(t.label(v)));
        return TICK + GAP + widest + (title == null ? 0 : GAP + 3 + fm.getAscent() + fm.getDescent());
    }

    /** How much {@link #xAxis} needs below the plot area. */
    public int xAxisHeight(String title) {
        FontMetrics fm = g.getFontMetrics();
        return TICK + GAP + fm.getHeight() + (title == null ? 0 : GAP + 2 + fm.getHeight());
    }

    private void grid(int x1, int y1, int x2, int y2) {
        g.setColor(new Color(230, 230, 230));
        g.setStroke(new BasicStroke(1f));
        g.drawLine(x1, y1, x2, y2);
    }

    /** A tick mark (remembered: no label may cover one). */
    public void mark(int x1, int y1, int x2, int y2) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(x1, y1, x2, y2);
        marks.add(new Line2D.Double(x1, y1, x2, y2));
    }

    /**
     * Names the data point at (px, py) with {@code s}, in {@code color}, beside it: the first place around the point
     * that lies inside {@code area} and overprints no text, tick mark or point in {@code points} (boxes), and, if
     * there is one, none of the curve's segments in {@code lines} (else, if {@code mayCoverLines}, on a white patch
     * over them). Labels keep a few pixels from each other. Returns false (and draws nothing) when no place is free.
     */
    public boolean label(String s, int px, int py, Color color, Rectangle area, List<Rectangle> points, List<Line2D> lines,
                         boolean mayCoverLines) {
        FontMetrics fm = g.getFontMetrics();
        int w = fm.stringWidth(s), h = fm.getAscent() + fm.getDescent(), d = 6;
        int[][] offsets = {{d, -d - h}, {d, d}, {-d - w, -d - h}, {-d - w, d}, {-w / 2, -d - 2 - h}, {-w / 2, d + 2},
                {d + 2, -h / 2}, {-d - 2 - w, -h / 2}};
        Rectangle inside = new Rectangle(area.x + 2, area.y + 2, area.width - 4, area.height - 4);
        for (boolean clearOfLines : mayCoverLines ? new boolean[] {true, false} : new boolean[] {true}) {
            for (int[] o : offsets) {
                Rectangle r = new Rectangle(px + o[0], py + o[1], w, h);
                Rectangle spaced = new Rectangle(r.x - 3, r.y - 2, r.width + 6, r.height + 4);
                if (!inside.contains(r) || taken(spaced)) continue;
                if (points.stream().anyMatch(p -> p.intersects(r))) continue;
                if (clearOfLines && lines.stream().anyMatch(l -> l.intersects(r))) continue;
                g.setColor(new Color(255, 255, 255, 220));
                g.fillRect(r.x - 1, r.y, r.width + 2, r.height);
                g.setColor(color);
                text(s, r.x, r.y + fm.getAscent());
                return true;
            }
        }
        return false;
    }

    /** The chart as PNG bytes (the drawing is finished). */
    public byte[] png() {
        g.dispose();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(image, "png", buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }
}
