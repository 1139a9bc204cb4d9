package dev.strata.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SVG line chart for the report: one or more series of (x, y) points, linear or logarithmic axes, ticks,
 * axis titles and a legend. Enough for latency distributions and rates over time; no dependencies.
 */
public final class SvgChart {
    /** One line. */
    public record Series(String name, double[] x, double[] y) {
    }

    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2"};
    private static final int W = 760;
    private static final int H = 420;
    private static final int L = 80;
    private static final int R = 190;
    private static final int T = 40;
    private static final int B = 60;

    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final List<Series> series = new ArrayList<>();
    private boolean logX;
    private boolean logY;
    private String xTickSuffix = "";
    private double[] xTickValues;
    private String[] xTickLabels;

    public SvgChart(String title, String xTitle, String yTitle) {
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
    }

    public SvgChart logX() {
        logX = true;
        return this;
    }

    public SvgChart logY() {
        logY = true;
        return this;
    }

    /** Appended to x tick labels (e.g. "%"). */
    public SvgChart xTickSuffix(String suffix) {
        xTickSuffix = suffix;
        return this;
    }

    /** Fixed x ticks with their own labels (e.g. percentiles on a transformed axis). */
    public SvgChart xTicks(double[] values, String[] labels) {
        xTickValues = values.clone();
        xTickLabels = labels.clone();
        return this;
    }

    public SvgChart add(Series s) {
        if (s.x().length != s.y().length) {
            throw new IllegalArgumentException("series " + s.name() + ": " + s.x().length + " x values but "
                    + s.y().length + " y values");
        }
        series.add(s);
        return this;
    }

    public String render() {
        double[] xr = range(true);
        double[] yr = range(false);
        if (!logY) {
            yr[0] = Math.min(0, yr[0]);
        }
        StringBuilder s = new StringBuilder();
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(W).append("\" height=\"").append(H).append("\" font-family=\"sans-serif\" font-size=\"11\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, W / 2.0 - R / 2.0, 22, 14, "middle", title, null);
        s.append("<rect x=\"").append(L).append("\" y=\"").append(T).append("\" width=\"").append(W - L - R)
                .append("\" height=\"").append(H - T - B).append("\" fill=\"none\" stroke=\"#888\"/>\n");
        ticks(s, xr, true);
        ticks(s, yr, false);
        text(s, L + (W - L - R) / 2.0, H - 18, 12, "middle", xTitle, null);
        text(s, 18, T + (H - T - B) / 2.0, 12, "middle", yTitle, "rotate(-90 18 " + (T + (H - T - B) / 2) + ")");
        for (int i = 0; i < series.size(); i++) {
            line(s, series.get(i), xr, yr, COLORS[i % COLORS.length]);
            int ly = T + 14 + i * 20;
            s.append("<line x1=\"").append(W - R + 16).append("\" x2=\"").append(W - R + 40).append("\" y1=\"")
                    .append(ly - 4).append("\" y2=\"").append(ly - 4).append("\" stroke=\"")
                    .append(COLORS[i % COLORS.length]).append("\" stroke-width=\"2\"/>\n");
            text(s, W - R + 46, ly, 11, "start", series.get(i).name(), null);
        }
        return s.append("</svg>\n").toString();
    }

    private double[] range(boolean xAxis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        boolean log = xAxis ? logX : logY;
        for (Series se : series) {
            for (double v : xAxis ? se.x() : se.y()) {
                if (Double.isFinite(v) && (!log || v > 0)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            return new double[]{log ? 1 : 0, log ? 10 : 1};
        }
        if (hi <= lo) {
            hi = log ? lo * 10 : lo + 1;
        }
        if (log) {
            return new double[]{Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi)))};
        }
        return new double[]{lo, hi + (hi - lo) * 0.05};
    }

    private double px(double v, double[] r) {
        double f = logX ? (Math.log10(v) - Math.log10(r[0])) / (Math.log10(r[1]) - Math.log10(r[0]))
                : (v - r[0]) / (r[1] - r[0]);
        return L + f * (W - L - R);
    }

    private double py(double v, double[] r) {
        double f = logY ? (Math.log10(v) - Math.log10(r[0])) / (Math.log10(r[1]) - Math.log10(r[0]))
                : (v - r[0]) / (r[1] - r[0]);
        return H - B - f * (H - T - B);
    }

    private void line(StringBuilder s, Series se, double[] xr, double[] yr, String color) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < se.x().length; i++) {
            double x = se.x()[i];
            double y = se.y()[i];
            if (!Double.isFinite(x) || !Double.isFinite(y) || (logX && x <= 0) || (logY && y <= 0)) {
                continue;
            }
            pts.append(fmt(px(x, xr))).append(',').append(fmt(py(y, yr))).append(' ');
        }
        s.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                .append(pts.toString().strip()).append("\"><title>").append(esc(se.name())).append("</title></polyline>\n");
    }

    private void ticks(StringBuilder s, double[] r, boolean xAxis) {
        if (xAxis && xTickValues != null) {
            for (int i = 0; i < xTickValues.length; i++) {
                double x = px(xTickValues[i], r);
                s.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"").append(T)
                        .append("\" y2=\"").append(H - B).append("\" stroke=\"#eee\"/>\n");
                text(s, x, H - B + 16, 10, "middle", xTickLabels[i], null);
            }
            return;
        }
        boolean log = xAxis ? logX : logY;
        List<Double> values = new ArrayList<>();
        if (log) {
            for (double v = r[0]; v <= r[1] * 1.0001; v *= 10) {
                values.add(v);
            }
        } else {
            double step = niceStep((r[1] - r[0]) / 6);
            for (double v = Math.ceil(r[0] / step) * step; v <= r[1] + 1e-9; v += step) {
                values.add(v);
            }
        }
        for (double v : values) {
            if (xAxis) {
                double x = px(v, r);
                s.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"").append(T)
                        .append("\" y2=\"").append(H - B).append("\" stroke=\"#eee\"/>\n");
                text(s, x, H - B + 16, 10, "middle", label(v) + xTickSuffix, null);
            } else {
                double y = py(v, r);
                s.append("<line x1=\"").append(L).append("\" x2=\"").append(W - R).append("\" y1=\"").append(fmt(y))
                        .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#eee\"/>\n");
                text(s, L - 6, y + 4, 10, "end", label(v), null);
            }
        }
    }

    private static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, Math.abs(v) >= 1 ? "%.1f" : "%.3g", v))
                .stripTrailingZeros().toPlainString();
    }

    private static void text(StringBuilder s, double x, double y, int size, String anchor, String t, String tr) {
        s.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" font-size=\"").append(size)
                .append("\" text-anchor=\"").append(anchor).append('"');
        if (tr != null) {
            s.append(" transform=\"").append(tr).append('"');
        }
        s.append('>').append(esc(t)).append("</text>\n");
    }

    static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
