package io.meridian.core.plan;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How the plan prints a computed figure: bandwidths to two significant digits, the precision of a
 * WAL rate measured over minutes, which is also how the seed rounds them (5.69 Mbps is "5.7",
 * 17.07 Mbps is "17"); commit figures to three, since a round trip is measured to the
 * millisecond (the seed's 1000 / 80 = "12.5" commits/s).
 */
public final class Figures {

    private Figures() {
    }

    public static String twoSignificant(double value) {
        return significant(value, 2);
    }

    public static String threeSignificant(double value) {
        return significant(value, 3);
    }

    private static String significant(double value, int digits) {
        if (Double.isNaN(value)) {
            return "unknown";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "unbounded" : "-unbounded";
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(value).round(new MathContext(digits, RoundingMode.HALF_UP));
        return d.stripTrailingZeros().toPlainString();
    }

    /** Whole units (euros in a monthly bill: the seed's "~2335 €"). */
    public static String whole(double value) {
        return Double.isNaN(value) ? "unknown" : Long.toString(Math.round(value));
    }
}
