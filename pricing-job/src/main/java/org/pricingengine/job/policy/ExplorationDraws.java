package org.pricingengine.job.policy;

/**
 * The fixed standard-normal points the Thompson sampler scales by a segment's posterior: a stratified
 * two-dimensional lattice (rank-1, golden-ratio step) through the inverse normal CDF. Picking one of them
 * uniformly is a draw from the posterior discretised to {@code count} equally likely points, which makes
 * the probability of each candidate price exact (the share of points it wins) rather than estimated.
 */
final class ExplorationDraws {
    private static final double GOLDEN = 0.6180339887498949;

    private final double[] z1;
    private final double[] z2;

    ExplorationDraws(int count) {
        z1 = new double[count];
        z2 = new double[count];
        for (int j = 0; j < count; j++) {
            z1[j] = inverseNormal((j + 0.5) / count);
            double u = 0.5 / count + j * GOLDEN;
            z2[j] = inverseNormal(u - Math.floor(u));
        }
    }

    int count() {
        return z1.length;
    }

    double z1(int j) {
        return z1[j];
    }

    double z2(int j) {
        return z2[j];
    }

    /** Acklam's rational approximation of the standard normal quantile (relative error below 1.2e-9). */
    static double inverseNormal(double p) {
        final double[] a = {
            -3.969683028665376e+01,
            2.209460984245205e+02,
            -2.759285104469687e+02,
            1.383577518672690e+02,
            -3.066479806614716e+01,
            2.506628277459239e+00
        };
        final double[] b = {
            -5.447609879822406e+01,
            1.615858368580409e+02,
            -1.556989798598866e+02,
            6.680131188771972e+01,
            -1.328068155288572e+01
        };
        final double[] c = {
            -7.784894002430293e-03,
            -3.223964580411365e-01,
            -2.400758277161838e+00,
            -2.549732539343734e+00,
            4.374664141464968e+00,
            2.938163982698783e+00
        };
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
                * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
