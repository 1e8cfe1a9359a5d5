package org.pricingengine.tools.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small line chart written as PNG with the JDK's own imaging (headless AWT), so that the reports
 * (benchmark, closed-loop market, demo) need nothing beyond the JVM they run in. Enough for them:
 * several named series, linear or log-2 x axis, linear y axis from zero.
 */
public final class LineChart {
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
    private double fixedYTop = Double.NaN;

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

    /** Ends the y axis at {@code top} whatever the data (100 for percentages); higher values are cut. */
    public LineChart yTop(double top) {
        this.fixedYTop = top;
        return this;
    }

    public void writePng(Path file) throws IOException {
        Charts.writePng(file, WIDTH, HEIGHT, this::draw);
    }

    private void draw(Graphics2D g) {
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
        double yTop = Double.isNaN(fixedYTop) ? Charts.niceCeiling(maxY <= 0 ? 1 : maxY * 1.05) : fixedYTop;
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;

        g.setFont(Charts.TITLE);
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 30);
        g.setFont(Charts.LABEL);
        FontMetrics fm = g.getFontMetrics();

        // Grid and y ticks
        for (int k = 0; k <= 5; k++) {
            double v = yTop * k / 5;
            int py = TOP + plotH - (int) Math.round(plotH * k / 5.0);
            g.setColor(Charts.GRID);
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String label = Charts.format(v);
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
            double step = Charts.niceCeiling((maxX - minX) / 6);
            for (double x = Math.ceil(minX / step) * step; x <= maxX + 1e-9; x += step) {
                xTicks.add(x);
            }
        }
        for (double x : xTicks) {
            int px = LEFT + (int) Math.round(plotW * (tx(x) - minX) / (maxX - minX));
            g.setColor(Color.DARK_GRAY);
            g.drawLine(px, TOP + plotH, px, TOP + plotH + 4);
            String label = Charts.format(x);
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
            g.setColor(Charts.PALETTE[s % Charts.PALETTE.length]);
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
}
