package org.pricingengine.tools.benchmark;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A small line chart written as PNG with the JDK's own imaging (headless AWT), so that the benchmark
 * report needs nothing beyond the JVM it runs in. Enough for the report: several named series, linear
 * or log-2 x axis, linear y axis from zero.
 */
public final class LineChart {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4),
        new Color(0xd62728),
        new Color(0x2ca02c),
        new Color(0xff7f0e),
        new Color(0x9467bd),
        new Color(0x8c564b)
    };
    private static final int WIDTH = 960;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private record Series(String name, double[] x, double[] y) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();

    public LineChart(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    public LineChart add(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(
                    "series " + name + ": " + x.length + " x values, " + y.length + " y values");
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    public void writePng(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                minX = Math.min(minX, tx(s.x[i]));
                maxX = Math.max(maxX, tx(s.x[i]));
                maxY = Math.max(maxY, s.y[i]);
            }
        }
        if (series.isEmpty() || minX == Double.POSITIVE_INFINITY) {
            minX = 0;
            maxX = 1;
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        double yTop = niceCeiling(maxY <= 0 ? 1 : maxY * 1.05);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();

        // Grid and y ticks
        for (int k = 0; k <= 5; k++) {
            double v = yTop * k / 5;
            int py = TOP + plotH - (int) Math.round(plotH * k / 5.0);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String label = format(v);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), py + 4);
        }
        // x ticks: the data's own x values on a log axis, six even steps on a linear one
        List<Double> xTicks = new ArrayList<>();
        if (logX) {
            for (Series s : series) {
                for (double x : s.x) {
                    if (!xTicks.contains(x)) {
                        xTicks.add(x);
                    }
                }
            }
        } else {
            double step = niceCeiling((maxX - minX) / 6);
            for (double x = Math.ceil(minX / step) * step; x <= maxX + 1e-9; x += step) {
                xTicks.add(x);
            }
        }
        for (double x : xTicks) {
            int px = LEFT + (int) Math.round(plotW * (tx(x) - minX) / (maxX - minX));
            g.setColor(Color.DARK_GRAY);
            g.drawLine(px, TOP + plotH, px, TOP + plotH + 4);
            String label = format(x);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + plotH + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.drawString(xLabel, LEFT + plotW / 2 - fm.stringWidth(xLabel) / 2, HEIGHT - 15);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(TOP + plotH / 2) - fm.stringWidth(yLabel) / 2, 18);
        rotated.dispose();

        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.size(); s++) {
            Series line = series.get(s);
            g.setColor(PALETTE[s % PALETTE.length]);
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < line.x.length; i++) {
                int px = LEFT + (int) Math.round(plotW * (tx(line.x[i]) - minX) / (maxX - minX));
                int py = TOP + plotH - (int) Math.round(plotH * Math.min(line.y[i], yTop) / yTop);
                if (i > 0) {
                    g.drawLine(prevX, prevY, px, py);
                }
                g.fillOval(px - 3, py - 3, 6, 6);
                prevX = px;
                prevY = py;
            }
            int ly = TOP + 20 + s * 20;
            g.fillRect(LEFT + plotW + 15, ly - 8, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(line.name, LEFT + plotW + 35, ly - 2);
        }
    }

    private double tx(double x) {
        return logX ? Math.log(Math.max(x, 1e-9)) / Math.log(2) : x;
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
