package org.pricingengine.tools.charts;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * A bar chart written as PNG with the JDK's own imaging (headless AWT), beside {@link LineChart}.
 * Vertical bars suit a histogram (bins in order along x); horizontal bars suit named categories with
 * long names, such as reason codes. Values start at zero; each bar may take a colour of the palette, so
 * one kind of bar (list price among discounts) stands out.
 */
public final class BarChart {
    private static final int WIDTH = 960;
    private static final int VERTICAL_HEIGHT = 520;
    private static final int ROW = 26;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final int RIGHT = 40;

    private record Bar(String label, double value, int colour) {}

    private final String title;
    private final String categoryLabel;
    private final String valueLabel;
    private final boolean horizontal;
    private final List<Bar> bars = new ArrayList<>();
    private DoubleFunction<String> valueText = Charts::format;
    private boolean showValues = true;

    private BarChart(String title, String categoryLabel, String valueLabel, boolean horizontal) {
        this.title = title;
        this.categoryLabel = categoryLabel;
        this.valueLabel = valueLabel;
        this.horizontal = horizontal;
    }

    /** Bars standing on the x axis, in the order added (a histogram's bins). */
    public static BarChart vertical(String title, String xLabel, String yLabel) {
        return new BarChart(title, xLabel, yLabel, false);
    }

    /** One row per category, top to bottom in the order added; the value axis runs along the bottom. */
    public static BarChart horizontal(String title, String valueLabel) {
        return new BarChart(title, "", valueLabel, true);
    }

    public BarChart add(String label, double value) {
        return add(label, value, 0);
    }

    /** A bar in the palette's {@code colour}-th colour (0 is the default blue, 1 red, 2 green, 3 orange). */
    public BarChart add(String label, double value, int colour) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException("bar " + label + ": value " + value + " is not a finite count >= 0");
        }
        bars.add(new Bar(label, value, colour));
        return this;
    }

    /** How the value written at the end of each bar reads (default: the number); null writes none. */
    public BarChart valueText(DoubleFunction<String> text) {
        this.showValues = text != null;
        if (text != null) {
            this.valueText = text;
        }
        return this;
    }

    public void writePng(Path file) throws IOException {
        if (horizontal) {
            Charts.writePng(file, WIDTH, TOP + Math.max(1, bars.size()) * ROW + BOTTOM, this::drawHorizontal);
        } else {
            Charts.writePng(file, WIDTH, VERTICAL_HEIGHT, this::drawVertical);
        }
    }

    private double valueTop() {
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
        return Charts.niceCeiling(max <= 0 ? 1 : max * 1.08);
    }

    private void drawTitle(Graphics2D g, int left) {
        g.setFont(Charts.TITLE);
        g.setColor(Color.BLACK);
        g.drawString(title, left, 30);
        g.setFont(Charts.LABEL);
    }

    private void drawVertical(Graphics2D g) {
        int left = 80;
        drawTitle(g, left);
        FontMetrics fm = g.getFontMetrics();
        int plotW = WIDTH - left - RIGHT;
        int plotH = VERTICAL_HEIGHT - TOP - BOTTOM;
        double top = valueTop();
        for (int k = 0; k <= 5; k++) {
            int py = TOP + plotH - (int) Math.round(plotH * k / 5.0);
            g.setColor(Charts.GRID);
            g.drawLine(left, py, left + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String label = Charts.format(top * k / 5);
            g.drawString(label, left - 8 - fm.stringWidth(label), py + 4);
        }
        double slot = plotW / (double) Math.max(1, bars.size());
        int widest = bars.stream().mapToInt(b -> fm.stringWidth(b.label)).max().orElse(0);
        // Dense histograms label every k-th bin, so labels never overlap.
        int labelEvery = Math.max(1, (int) Math.ceil((widest + 8) / slot));
        boolean valuesFit =
                showValues && bars.stream().allMatch(b -> fm.stringWidth(valueText.apply(b.value)) <= slot + 4);
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int x0 = left + (int) Math.round(i * slot + slot * 0.1);
            int w = Math.max(1, (int) Math.round(slot * 0.8));
            int h = (int) Math.round(plotH * bar.value / top);
            g.setColor(Charts.PALETTE[bar.colour % Charts.PALETTE.length]);
            g.fillRect(x0, TOP + plotH - h, w, h);
            int centre = x0 + w / 2;
            if (valuesFit && bar.value > 0) {
                String v = valueText.apply(bar.value);
                g.setColor(Color.DARK_GRAY);
                g.drawString(v, centre - fm.stringWidth(v) / 2, TOP + plotH - h - 4);
            }
            if (i % labelEvery == 0) {
                g.setColor(Color.DARK_GRAY);
                g.drawLine(centre, TOP + plotH, centre, TOP + plotH + 4);
                g.drawString(bar.label, centre - fm.stringWidth(bar.label) / 2, TOP + plotH + 18);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, TOP, plotW, plotH);
        g.drawString(categoryLabel, left + plotW / 2 - fm.stringWidth(categoryLabel) / 2, VERTICAL_HEIGHT - 15);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(valueLabel, -(TOP + plotH / 2) - fm.stringWidth(valueLabel) / 2, 18);
        rotated.dispose();
    }

    private void drawHorizontal(Graphics2D g) {
        g.setFont(Charts.LABEL);
        FontMetrics fm = g.getFontMetrics();
        int left =
                20 + bars.stream().mapToInt(b -> fm.stringWidth(b.label)).max().orElse(60);
        drawTitle(g, 20);
        int height = TOP + Math.max(1, bars.size()) * ROW + BOTTOM;
        int widestValue = showValues
                ? bars.stream()
                        .mapToInt(b -> fm.stringWidth(valueText.apply(b.value)))
                        .max()
                        .orElse(0)
                : 0;
        int plotW = WIDTH - left - RIGHT - widestValue;
        int plotH = Math.max(1, bars.size()) * ROW;
        double top = valueTop();
        for (int k = 0; k <= 5; k++) {
            int px = left + (int) Math.round(plotW * k / 5.0);
            g.setColor(Charts.GRID);
            g.drawLine(px, TOP, px, TOP + plotH);
            g.setColor(Color.DARK_GRAY);
            String label = Charts.format(top * k / 5);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + plotH + 18);
        }
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int y0 = TOP + i * ROW + 4;
            int w = (int) Math.round(plotW * bar.value / top);
            g.setColor(Charts.PALETTE[bar.colour % Charts.PALETTE.length]);
            g.fillRect(left, y0, w, ROW - 8);
            g.setColor(Color.DARK_GRAY);
            int baseline = y0 + (ROW - 8) / 2 + fm.getAscent() / 2 - 1;
            g.drawString(bar.label, left - 8 - fm.stringWidth(bar.label), baseline);
            if (showValues) {
                g.drawString(valueText.apply(bar.value), left + w + 6, baseline);
            }
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, TOP, left, TOP + plotH);
        g.drawLine(left, TOP + plotH, left + plotW, TOP + plotH);
        g.drawString(valueLabel, left + plotW / 2 - fm.stringWidth(valueLabel) / 2, height - 15);
    }
}
