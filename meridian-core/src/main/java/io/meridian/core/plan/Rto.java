package io.meridian.core.plan;

/**
 * The write outage a region loss costs, as last measured by a drill.
 *
 * @param medianSeconds median over the drill's trials, NaN when no drill result was found
 * @param source        where it comes from (a bench/results file), or why it is unknown
 */
public record Rto(double medianSeconds, String source) {

    public static Rto unknown(String why) {
        return new Rto(Double.NaN, why);
    }

    public boolean known() {
        return !Double.isNaN(medianSeconds);
    }
}
