package org.pricingengine.job.feedback;

/**
 * Predicted against observed conversion over tumbling windows of {@code window} outcomes: the mean of
 * the conversion probabilities the decisions expected, and the share of those decisions that ended in a
 * purchase. A calibrated model keeps the two close; a model that has gone stale or a shifted population
 * pulls them apart. Only the task thread adds; the reporter's thread reads the last complete window.
 */
final class ConversionCalibration {
    private final int window;
    private double predictedSum;
    private int purchases;
    private int count;
    private volatile double predicted = Double.NaN;
    private volatile double observed = Double.NaN;

    ConversionCalibration(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("calibration window must be at least 1, got " + window);
        }
        this.window = window;
    }

    /** One outcome of a decision that expected {@code expectedConversion}. */
    void add(double expectedConversion, boolean purchased) {
        predictedSum += expectedConversion;
        if (purchased) {
            purchases++;
        }
        if (++count == window) {
            predicted = predictedSum / count;
            observed = (double) purchases / count;
            predictedSum = 0;
            purchases = 0;
            count = 0;
        }
    }

    /** Mean expected conversion over the last complete window; NaN before one. */
    double predicted() {
        return predicted;
    }

    /** Share of purchases over the last complete window; NaN before one. */
    double observed() {
        return observed;
    }
}
