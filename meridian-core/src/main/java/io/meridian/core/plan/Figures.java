package io.meridian.core.plan;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How the plan prints a computed figure: two significant digits, the precision of its inputs
 * (a measured rate over minutes, a price list). This is also how the seed rounds: 5.69 Mbps is
 * "5.7", 17.07 Mbps is "17".
 */
public final class Figures {

    private Figures() {
    }

    public static String twoSignificant(double value) {
        if (Double.isNaN(value)) {
            return "unknown";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "unbounded" : "-unbounded";
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(value).round(new MathContext(2, RoundingMode.HALF_UP));
        return d.stripTrailingZeros().toPlainString();
    }

    /** Whole units (euros in a monthly bill: the seed's "~2335 €"). */
    public static String whole(double value) {
        return Double.isNaN(value) ? "unknown" : Long.toString(Math.round(value));
    }
}
