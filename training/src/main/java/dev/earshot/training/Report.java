package dev.earshot.training;

import dev.earshot.training.plot.Chart;
import dev.earshot.training.plot.Ticks;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The end-of-training report: learning curves and the confusion matrix as PNG, and an HTML page with
 * both and the run's settings. Drawn with Java2D (headless), so it needs no display and no extra library.
 */
public final class Report {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Report() {}

    /** Writes {@code <base>-curves.png}, {@code <base>-confusion.png} and {@code <base>.html}; returns the HTML path. */
    public static Path write(Path base, History history, List<String> labels, int[][] confusion,
                             Map<String, String> facts) throws IOException {
        Path dir = base.toAbsolutePath().getParent();
        String name = base.getFileName().toString();
        Path curves = dir.resolve(name + "-curves.png");
        Path matrix = dir.resolve(name + "-confusion.png");
        Path html = dir.resolve(name + ".html");
        byte[] curvesPng = curves(history).png();
        dev.earshot.api.AtomicFile.write(curves, o -> o.write(curvesPng));
        writePng(matrix, confusionImage(labels, confusion));
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Earshot training report</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}"
                        + "th{text-align:left}</style></head><body><h1>Earshot training report</h1><table>");
        for (Map.Entry<String, String> e : facts.entrySet()) {
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td style=\"text-align:left\">")
                    .append(esc(e.getValue())).append("</td></tr>");
        }
        h.append("</table><h2>Learning curves</h2><img src=\"").append(esc(curves.getFileName().toString()))
                .append("\" alt=\"learning curves\"><h2>Confusion matrix (validation)</h2><img src=\"")
                .append(esc(matrix.getFileName().toString())).append("\" alt=\"confusion matrix\">")
                .append("<h2>Per epoch</h2><table><tr><th>epoch</th><th>loss</th><th>train acc</th><th>val acc</th>"
                        + "<th>lr</th><th>s</th><th>clips/s</th></tr>");
        for (History.Epoch e : history.epochs()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.2e</td>"
                            + "<td>%.1f</td><td>%.0f</td></tr>", e.epoch(), e.trainLoss(), e.trainAccuracy(),
                    e.validationAccuracy(), e.learningRate(), e.seconds(), e.clipsPerSecond()));
        }
        h.append("</table></body></html>\n");
        byte[] bytes = h.toString().getBytes(StandardCharsets.UTF_8);
        dev.earshot.api.AtomicFile.write(html, o -> o.write(bytes));
        return html;
    }

    private static void writePng(Path file, BufferedImage img) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ImageIO.write(img, "png", buf);
        byte[] bytes = buf.toByteArray();
        dev.earshot.api.AtomicFile.write(file, o -> o.write(bytes));
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        return g;
    }

    /** Two panels: training loss, and training and validation accuracy, against the epoch. */
    static Chart curves(History history) {
        int w = 900, h = 380;
        Chart chart = new Chart(w, h);
        chart.graphics().setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        List<History.Epoch> ep = history.epochs();
        double maxLoss = 0;
        for (History.Epoch e : ep) maxLoss = Math.max(maxLoss, e.trainLoss());
        double[] loss = ep.stream().mapToDouble(History.Epoch::trainLoss).toArray();
        panel(chart, 0, w / 2, h, "training loss", Ticks.covering(0, maxLoss > 0 && Double.isFinite(maxLoss) ? maxLoss : 1, 7),
                new double[][] {loss}, new Color[] {new Color(200, 60, 40)}, new String[] {"loss"});
        double lo = 1;
        for (History.Epoch e : ep) lo = Math.min(lo, Math.min(e.trainAccuracy(), e.validationAccuracy()));
        panel(chart, w / 2, w, h, "accuracy", Ticks.covering(Math.max(0, Double.isFinite(lo) ? lo : 0), 1, 7),
                new double[][] {ep.stream().mapToDouble(History.Epoch::trainAccuracy).toArray(),
                        ep.stream().mapToDouble(History.Epoch::validationAccuracy).toArray()},
                new Color[] {new Color(40, 90, 200), new Color(30, 150, 60)}, new String[] {"train", "validation"});
        return chart;
    }

    /**
     * One panel between x = {@code left} and {@code right}: the series against the epoch (1 to n), round ticks on both
     * axes; the title above on the left, the series' names as a legend above on the right, clear of the curves.
     */
    private static void panel(Chart chart, int left, int right, int h, String title, Ticks yt, double[][] series,
                              Color[] colors, String[] names) {
        Graphics2D g = chart.graphics();
        FontMetrics fm = chart.metrics();
        int n = series[0].length;
        Ticks xt = n <= 1 ? Ticks.integers(0, 2, 9) : Ticks.integers(1, n, 9);  // one epoch: in the middle
        int x0 = left + 10 + chart.yAxisWidth(yt, null), y0 = 34;
        Rectangle area = new Rectangle(x0, y0, right - 24 - x0, h - y0 - chart.xAxisHeight("epoch") - 8);
        java.util.function.DoubleToIntFunction xOf = v -> xt.at(v, area.x, area.x + area.width);
        java.util.function.DoubleToIntFunction yOf = v -> yt.at(Math.max(yt.min(), Math.min(yt.max(), v)),
                area.y + area.height, area.y);
        chart.yAxis(area, yt, yOf, null);
        chart.xAxis(area, xt, xOf, "epoch");
        chart.frame(area);
        g.setColor(Color.BLACK);
        chart.text(title, x0, y0 - 10);
        int lx = x0 + area.width;  // the legend, right-aligned on the title's line: a line of the colour, the name
        for (int s = names.length - 1; s >= 0; s--) {
            lx -= fm.stringWidth(names[s]);
            g.setColor(Color.DARK_GRAY);
            chart.text(names[s], lx, y0 - 10);
            g.setColor(colors[s]);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(lx - 22, y0 - 14, lx - 5, y0 - 14);
            lx -= 36;
        }
        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.length; s++) {
            g.setColor(colors[s]);
            int px = -1, py = -1;
            for (int i = 0; i < n; i++) {
                int x = xOf.applyAsInt(i + 1), y = yOf.applyAsInt(series[s][i]);
                if (px >= 0) g.drawLine(px, py, x, y);
                else g.fillOval(x - 2, y - 2, 5, 5);
                px = x;
                py = y;
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** Rows are true labels, columns predictions; each cell shaded by its share of the row, with the count. */
    static BufferedImage confusionImage(List<String> labels, int[][] cm) {
        int n = labels.size(), cell = n > 20 ? 22 : 40, left = 110, top = 110;
        int w = left + n * cell + 20, h = top + n * cell + 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, n > 20 ? 9 : 12));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString("true label ↓  predicted →", 5, 15);
        for (int i = 0; i < n; i++) {
            String l = labels.get(i);
            g.drawString(l, left - fm.stringWidth(l) - 5, top + i * cell + cell / 2 + 4);
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + i * cell + cell / 2 + 4, top - 5);
            r.rotate(-Math.PI / 2);
            r.drawString(l, 0, 0);
            r.dispose();
        }
        for (int i = 0; i < n; i++) {
            long row = 0;
            for (int j = 0; j < n; j++) row += cm[i][j];
            for (int j = 0; j < n; j++) {
                double share = row == 0 ? 0 : cm[i][j] / (double) row;
                int shade = (int) Math.round(255 * (1 - share));
                g.setColor(i == j ? new Color(shade, 255, shade) : new Color(255, shade, shade));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                g.setColor(Color.GRAY);
                g.drawRect(left + j * cell, top + i * cell, cell, cell);
                if (cm[i][j] > 0) {
                    String s = Integer.toString(cm[i][j]);
                    g.setColor(Color.BLACK);
                    g.drawString(s, left + j * cell + (cell - fm.stringWidth(s)) / 2, top + i * cell + cell / 2 + 4);
                }
            }
        }
        g.dispose();
        return img;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
