package dev.strata.bench.report;

/**
 * One line of the report: what Strata measured, what the baseline measured in the same run, their ratio, the goal
 * and the run-to-run noise.
 *
 * @param key           the key in results.json (the ratio's, or the value's when there is no baseline); null for
 *                      figures shown but not exported
 * @param what          what was measured, in words
 * @param value         Strata's figure
 * @param unit          its unit
 * @param baseline      what Strata is compared with ("8 KB loopback echo", "pg_waldump"), or null
 * @param baselineValue the baseline's figure in the same unit (NaN without a baseline)
 * @param ratio         the exported ratio (as the key names it), or NaN
 * @param goal          the goal on {@link #goalValue()}, or null
 * @param noise         run-to-run spread as the benchmark reports it (e.g. "±4 %"), or null
 * @param source        which benchmark produced it
 */
public record Figure(String key, String what, double value, String unit, String baseline, double baselineValue,
                     double ratio, Goal goal, String noise, String source) {

    /** The number the goal applies to: the ratio when there is one, else the value. */
    public double goalValue() {
        return Double.isNaN(ratio) ? value : ratio;
    }

    /** The number exported under {@link #key()}. */
    public double exported() {
        return goalValue();
    }

    public String verdict() {
        if (goal == null) {
            return "—";
        }
        if (Double.isNaN(goalValue())) {
            return "not measured";
        }
        return goal.met(goalValue()) ? "met" : "not met";
    }
}
