package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.app.StreamingEval.DetPoint;
import dev.earshot.training.plot.Chart;
import dev.earshot.training.plot.Ticks;
import dev.earshot.training.History;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PNG charts (the threshold sweep of eval-stream --plot, the DET curve, the training report's curves) on
 * shapes of data seen in practice and at the extremes: ticks at round numbers (1, 2 or 5 times a power of ten),
 * no text over another or over a tick mark, nothing at the image's edges. {@code -Dearshot.plots=DIR} keeps the
 * PNGs, to look at.
 */
class PlotTest {
    /** A real sweep (eval-stream on a synthesized set, 5 minutes): the points crowd at few false accepts. */
    static final double[][] SWEEP = {{0.30, 204, 26.3}, {0.35, 180, 31.6}, {0.40, 156, 38.9}, {0.45, 108, 40.0},
            {0.50, 96, 45.3}, {0.55, 72, 52.6}, {0.60, 48, 56.8}, {0.65, 48, 64.2}, {0.70, 48, 72.6}, {0.75, 36, 76.8},
            {0.80, 24, 82.1}, {0.85, 36, 85.3}, {0.90, 12, 90.5}, {0.95, 24, 97.9}};

    @Test
    void ticksAreRoundAndCoverTheData() {
        assertTicks(Ticks.covering(0, 204, 8), 0, 250, 50);
        assertTicks(Ticks.covering(0, 97.9, 11), 0, 100, 10);
        assertTicks(Ticks.covering(0, 1.44, 7), 0, 1.5, 0.5);
        assertTicks(Ticks.covering(0.31, 1, 7), 0.2, 1, 0.2);
        assertTicks(Ticks.covering(0.93, 0.99, 7), 0.93, 0.99, 0.01);
        assertTicks(Ticks.covering(0, 0, 5), 0, 1, 0.5);
        assertTicks(Ticks.covering(-0.2, 0.3, 3), -0.5, 0.5, 0.5);
        assertTicks(Ticks.integers(1, 3, 9), 1, 3, 1);
        assertTicks(Ticks.integers(1, 150, 9), 0, 160, 20);
        assertEquals("0.85", Ticks.covering(0.8, 0.9, 3).label(0.85));
        assertEquals(List.of("0", "50", "100", "150", "200", "250"), labels(Ticks.covering(0, 204, 8)));
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < 2000; i++) {
            double lo = rng.nextDouble() * Math.pow(10, rng.nextInt(-3, 5)) * (rng.nextBoolean() ? 1 : -1);
            double hi = lo + rng.nextDouble() * Math.pow(10, rng.nextInt(-3, 6));
            int most = rng.nextInt(3, 15);
            Ticks t = Ticks.covering(lo, hi, most);
            String at = lo + " to " + hi + " in " + most + ": " + t;
            assertTrue(t.min() <= lo + 1e-9 * Math.abs(lo) && t.max() >= hi - 1e-9 * Math.abs(hi), at);
            assertTrue(t.count() <= most && t.count() >= 2, at);
            assertRound(t.step(), at);
            assertEquals(t.count(), labels(t).stream().distinct().count(), "labels differ: " + labels(t) + " " + at);
        }
    }

    @Test
    void sweepPlot() throws IOException {
        List<Chart> charts = new ArrayList<>();
        charts.add(SweepPlot.chart(List.of(SWEEP)));
        charts.add(SweepPlot.chart(List.of(new double[][] {{0.30, 0, 0}, {0.50, 0, 0}, {0.90, 0, 12.5}})));
        charts.add(SweepPlot.chart(List.<double[]>of(new double[] {0.5, 3.2, 100})));
        List<double[]> huge = new ArrayList<>();
        for (int i = 0; i < 14; i++) huge.add(new double[] {0.30 + 0.05 * i, 123456.0 / (i + 1), 100.0 * i / 13});
        charts.add(SweepPlot.chart(huge));
        for (int i = 0; i < charts.size(); i++) check(charts.get(i), "sweep-" + i, 2);
        Chart real = charts.get(0);
        assertEquals(List.of(List.of("0", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100"),
                List.of("0", "50", "100", "150", "200", "250")), real.axisLabels());
        long thresholds = real.strings().stream().filter(s -> s.matches("0\\.\\d\\d")).count();
        assertTrue(thresholds >= 10, "most thresholds are named: " + real.strings());
    }

    /** eval-stream --plot writes the sweep's chart. */
    @Test
    void evalStreamWritesTheSweep(@TempDir Path dir) throws IOException {
        Path data = ToyDataset.write(dir.resolve("toy"), 2, 2, 3);
        Path png = dir.resolve("sweep.png");
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run("eval-stream", "--data", data.toString(), "--split", "all",
                "--minutes", "0.5", "--unknown-percent", "0", "--plot", png.toString());
        assertEquals(0, r.exit(), r.err());
        javax.imageio.ImageIO.setUseCache(false);
        BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(440, img.getHeight());
    }

    @Test
    void detPlot() throws IOException {
        Map<String, List<DetPoint>> curves = new LinkedHashMap<>();
        SplittableRandom rng = new SplittableRandom(2);
        for (String model : List.of("default", "windows", "models/a-much-longer-name.earshot")) {
            List<DetPoint> c = new ArrayList<>();
            double fa = 1000 * (1 + rng.nextDouble());
            for (int t = 5; t <= 99; t++) {
                c.add(new DetPoint(t / 100f, t > 90 ? 0 : fa, Math.min(100, 20 + 0.8 * t + 5 * rng.nextDouble())));
                fa *= 0.93;
            }
            curves.put(model, c);
        }
        check(DetPlot.chart(curves, "negatives speech (48 files, 12.5 min) over ambience (3 files), 30.0 min, seed 1 "
                + "and some more words to make it wrap onto a second line of text at the bottom of the chart"), "det", 1);
        Map<String, List<DetPoint>> flat = Map.of("default", List.of(new DetPoint(0.5f, 0, 0)));
        check(DetPlot.chart(flat, "the command stream"), "det-flat", 1);
    }

    @Test
    void trainingCurves() throws Exception {
        for (int epochs : new int[] {1, 3, 12, 40, 150}) {
            History h = new History();
            for (int e = 1; e <= epochs; e++) {
                double f = e / (double) epochs;
                h.add(new History.Epoch(e, 2.49 * (1 - 0.8 * f), 0.3 + 0.65 * f, 0.28 + 0.6 * f, 1e-3, 10, 500));
            }
            java.lang.reflect.Method curves = dev.earshot.training.Report.class.getDeclaredMethod("curves", History.class);
            curves.setAccessible(true);
            Chart c = (Chart) curves.invoke(null, h);
            check(c, "curves-" + epochs, 4);
        }
    }

    /**
     * Every text inside the image (2 px from the edges), none overlapping another or a tick mark, the edges white,
     * and {@code axes} linear axes whose labels step evenly by a round step.
     */
    static void check(Chart c, String name, int axes) throws IOException {
        BufferedImage img = c.image();
        byte[] png = c.png();
        String dir = System.getProperty("earshot.plots");
        if (dir != null) Files.write(Files.createDirectories(Path.of(dir)).resolve(name + ".png"), png);
        Rectangle inside = new Rectangle(2, 2, img.getWidth() - 4, img.getHeight() - 4);
        List<Rectangle> texts = c.texts();
        for (int i = 0; i < texts.size(); i++) {
            Rectangle a = texts.get(i);
            String s = c.strings().get(i);
            assertTrue(inside.contains(a), name + ": '" + s + "' at " + a + " leaves the image");
            for (int j = i + 1; j < texts.size(); j++) {
                assertTrue(!a.intersects(texts.get(j)), name + ": '" + s + "' " + a + " overprints '" + c.strings().get(j)
                        + "' " + texts.get(j));
            }
            for (Line2D m : c.marks()) {
                assertTrue(!m.intersects(a), name + ": '" + s + "' " + a + " overprints a tick mark at " + m.getBounds());
            }
        }
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                if (x < 2 || y < 2 || x >= img.getWidth() - 2 || y >= img.getHeight() - 2) {
                    assertEquals(0xffffff, img.getRGB(x, y) & 0xffffff, name + ": drawn at the edge, at " + x + "," + y);
                }
            }
        }
        assertEquals(axes, c.axisLabels().size(), name);
        for (List<String> labels : c.axisLabels()) {
            assertTrue(labels.size() >= 2, name + ": " + labels);
            BigDecimal step = new BigDecimal(labels.get(1)).subtract(new BigDecimal(labels.get(0)));
            for (int i = 1; i < labels.size(); i++) {
                assertEquals(0, step.compareTo(new BigDecimal(labels.get(i)).subtract(new BigDecimal(labels.get(i - 1)))),
                        name + ": even steps " + labels);
                assertEquals(0, new BigDecimal(labels.get(i)).remainder(step).signum(), name + ": on the step " + labels);
            }
            assertRound(step.doubleValue(), name + ": " + labels);
        }
    }

    static void assertRound(double step, String what) {
        double p = Math.pow(10, Math.floor(Math.log10(step) + 1e-9)), m = step / p;
        assertTrue(Math.abs(m - 1) < 1e-6 || Math.abs(m - 2) < 1e-6 || Math.abs(m - 5) < 1e-6, "step " + step + ": " + what);
    }

    static void assertTicks(Ticks t, double min, double max, double step) {
        assertArrayEquals(new double[] {min, max, step}, new double[] {t.min(), t.max(), t.step()}, 1e-12, t.toString());
    }

    static List<String> labels(Ticks t) {
        List<String> l = new ArrayList<>();
        for (double v : t.values()) l.add(t.label(v));
        return l;
    }
}
