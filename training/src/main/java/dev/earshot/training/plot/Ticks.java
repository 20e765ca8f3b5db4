package dev.earshot.training.plot;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Round ticks on a linear axis: every {@code step} from {@code min} to {@code max}, the step 1, 2 or 5 times a
 * power of ten and both ends multiples of it, so the labels read 0, 20, 40 … or 0.80, 0.85, 0.90 ….
 */
public record Ticks(double min, double max, double step) {
    public Ticks {
        if (!(step > 0) || !(max > min)) throw new IllegalArgumentException("ticks " + min + " to " + max + " by " + step);
    }

    /** The fewest round ticks, at most {@code most} (3 or more) of them, whose ends cover {@code lo} and {@code hi}. */
    public static Ticks covering(double lo, double hi, int most) {
        return covering(lo, hi, most, 0);
    }

    /** Whole-number ticks (epochs, counts): as {@link #covering(double, double, int)} with a step of at least 1. */
    public static Ticks integers(double lo, double hi, int most) {
        return covering(lo, hi, most, 1);
    }

    private static Ticks covering(double lo, double hi, int most, double smallestStep) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) throw new IllegalArgumentException("axis " + lo + " to " + hi);
        if (most < 3) throw new IllegalArgumentException("at least 3 ticks, not " + most);  // -step, 0, step across zero
        if (hi < lo) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {  // one value: an axis of one step around it
            hi = lo + Math.max(smallestStep, Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1);
        }
        double step = Math.max(smallestStep, Math.pow(10, Math.floor(Math.log10((hi - lo) / (most - 1)))));
        for (int tries = 0; ; tries++) {
            double first = Math.floor(lo / step + 1e-9) * step, last = Math.ceil(hi / step - 1e-9) * step;
            if (Math.round((last - first) / step) + 1 <= most || tries > 60) {
                return new Ticks(round(first, step), round(last, step), step);
            }
            step = next(step);
        }
    }

    /** The next round step after {@code step}: 1 → 2 → 5 → 10 (times the power of ten). */
    static double next(double step) {
        double p = Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
        double m = Math.round(step / p);
        return m < 2 ? 2 * p : m < 5 ? 5 * p : 10 * p;
    }

    private static double round(double v, double step) {
        int decimals = Math.max(0, decimals(step));
        return BigDecimal.valueOf(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }

    /** How many decimals a step needs: 0 for 1, 2, 5, 10 …; 1 for 0.1, 0.2, 0.5; 2 for 0.05 …. */
    private static int decimals(double step) {
        return (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    }

    /** The number of ticks. */
    public int count() {
        return (int) Math.round((max - min) / step) + 1;
    }

    /** The tick values, min first. */
    public double[] values() {
        double[] v = new double[count()];
        for (int i = 0; i < v.length; i++) v[i] = round(min + i * step, step);
        return v;
    }

    /** A tick's label: as many decimals as the step has (0.05 → "0.85", 20 → "40"). */
    public String label(double v) {
        return String.format(Locale.ROOT, "%." + decimals(step) + "f", v + 0.0);  // + 0.0: no "-0"
    }

    /** Where {@code v} falls between {@code from} (at min) and {@code to} (at max), in pixels. */
    public int at(double v, int from, int to) {
        return from + (int) Math.round((to - from) * (v - min) / (max - min));
    }
}
