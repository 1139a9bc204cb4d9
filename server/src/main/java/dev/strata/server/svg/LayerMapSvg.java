package dev.strata.server.svg;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.LayerInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Draws a timeline's layer map as SVG: key range across, LSN up, one rectangle per layer coloured by kind (L0
 * delta, L1 delta, image, in-memory), with the GC cutoff, the last record LSN and branch points as horizontal lines,
 * and a legend. Each rectangle carries a tooltip with its name, ranges and size.
 *
 * <p>Both axes are drawn by rank, not to scale: every distinct key boundary and every distinct LSN boundary gets
 * an equal step. Keys span 2^144 values and LSNs grow by gigabytes while layers are kilobytes apart, so a linear
 * scale would draw most layers as invisible slivers; by rank, an image layer (one LSN high) and a delta covering
 * gigabytes of WAL are both visible, and their order is exact.
 */
public final class LayerMapSvg {
    /** A horizontal line across the plot at an LSN (a branch point, the GC cutoff...). */
    public record Mark(String label, long lsn, String color, boolean dashed) {
    }

    /** What to draw. */
    public record Input(String title, List<LayerInfo> layers, long lastRecordLsn, List<Mark> marks) {
    }

    private static final int LEFT = 120;
    private static final int RIGHT = 840;
    private static final int TOP = 70;
    private static final int BOTTOM = 660;
    private static final int WIDTH = 1120;
    private static final int HEIGHT = 720;
    private static final String[][] KINDS = {
            {"delta-l0", "#f28e2b", "L0 delta"},
            {"delta-l1", "#4e79a7", "L1 delta"},
            {"image", "#59a14f", "image"},
            {"in-memory", "#b07aa1", "in-memory"}};

    private LayerMapSvg() {
    }

    public static String render(Input in) {
        long top = in.lastRecordLsn() + 1;
        TreeSet<Key> keys = new TreeSet<>();
        TreeSet<Long> lsns = new TreeSet<>(Long::compareUnsigned);
        for (LayerInfo l : in.layers()) {
            keys.add(l.keyStart());
            keys.add(l.keyEnd());
            lsns.add(l.lsnStart());
            lsns.add(clamp(l.lsnEnd(), top));
        }
        for (Mark m : in.marks()) {
            lsns.add(m.lsn());
        }
        lsns.add(in.lastRecordLsn());
        Axis<Key> x = new Axis<>(new ArrayList<>(keys), LEFT, RIGHT);
        Axis<Long> y = new Axis<>(new ArrayList<>(lsns), BOTTOM, TOP);
        StringBuilder svg = new StringBuilder(4096 + in.layers().size() * 300);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n")
                .append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"white\"/>\n");
        text(svg, LEFT, 24, 15, "start", in.title());
        text(svg, LEFT, 44, 11, "start", in.layers().size() + " layers; key range across, LSN up (both by rank, "
                + "not to scale)");
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(RIGHT - LEFT)
                .append("\" height=\"").append(BOTTOM - TOP).append("\" fill=\"#fafafa\" stroke=\"#888\"/>\n");
        if (in.layers().isEmpty()) {
            text(svg, (LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2, 14, "middle", "no layers yet");
        }
        layers(svg, in.layers(), x, y, top);
        marks(svg, in, y);
        axes(svg, x, y);
        legend(svg);
        return svg.append("</svg>\n").toString();
    }

    private static long clamp(long lsnEnd, long top) {
        return Long.compareUnsigned(lsnEnd, top) > 0 ? top : lsnEnd;
    }

    private static void layers(StringBuilder svg, List<LayerInfo> layers, Axis<Key> x, Axis<Long> y, long top) {
        // Deltas first, images and in-memory layers on top: an image sits exactly on a delta's edge.
        for (int pass = 0; pass < KINDS.length; pass++) {
            for (LayerInfo l : layers) {
                if (!KINDS[pass][0].equals(l.kind())) {
                    continue;
                }
                double x0 = x.pos(l.keyStart());
                double x1 = x.pos(l.keyEnd());
                double y0 = y.pos(clamp(l.lsnEnd(), top));
                double y1 = y.pos(l.lsnStart());
                double w = Math.max(1.5, x1 - x0);
                double h = Math.max(2, y1 - y0);
                svg.append("<rect class=\"layer ").append(l.kind()).append("\" x=\"").append(fmt(x0))
                        .append("\" y=\"").append(fmt(y0)).append("\" width=\"").append(fmt(w)).append("\" height=\"")
                        .append(fmt(h)).append("\" fill=\"").append(KINDS[pass][1]).append("\" fill-opacity=\"0.75\" ")
                        .append("stroke=\"#333\" stroke-width=\"0.5\"")
                        .append("in-memory".equals(l.kind()) ? " stroke-dasharray=\"3,2\"" : "").append("><title>")
                        .append(escape(tooltip(l))).append("</title></rect>\n");
            }
        }
    }

    private static String tooltip(LayerInfo l) {
        return l.name() + "\n" + l.kind() + "\nkeys " + l.keyStart() + " .. " + l.keyEnd() + "\nLSN "
                + Lsn.format(l.lsnStart()) + " .. " + Lsn.format(l.lsnEnd()) + "\n" + l.sizeBytes() + " bytes";
    }

    private static void marks(StringBuilder svg, Input in, Axis<Long> y) {
        List<Mark> all = new ArrayList<>(in.marks());
        all.add(new Mark("last record " + Lsn.format(in.lastRecordLsn()), in.lastRecordLsn(), "#555", true));
        for (Mark m : all) {
            double yy = y.pos(m.lsn());
            svg.append("<line class=\"mark\" x1=\"").append(LEFT).append("\" x2=\"").append(RIGHT).append("\" y1=\"")
                    .append(fmt(yy)).append("\" y2=\"").append(fmt(yy)).append("\" stroke=\"").append(m.color())
                    .append("\" stroke-width=\"1.5\"").append(m.dashed() ? " stroke-dasharray=\"6,3\"" : "")
                    .append("/>\n");
            svg.append("<text x=\"").append(RIGHT - 4).append("\" y=\"").append(fmt(yy - 3)).append("\" fill=\"")
                    .append(m.color()).append("\" text-anchor=\"end\">").append(escape(m.label())).append("</text>\n");
        }
    }

    private static void axes(StringBuilder svg, Axis<Key> x, Axis<Long> y) {
        int n = y.size();
        int step = Math.max(1, (n + 11) / 12);
        for (int i = 0; i < n; i += step) {
            double yy = y.posOfRank(i);
            text(svg, LEFT - 6, yy + 4, 10, "end", Lsn.format(y.value(i)));
        }
        text(svg, 16, (TOP + BOTTOM) / 2.0, 12, "middle", "LSN", "rotate(-90 16 " + (TOP + BOTTOM) / 2 + ")");
        int k = x.size();
        int kstep = Math.max(1, (k + 4) / 5);
        for (int i = 0; i < k; i += kstep) {
            text(svg, x.posOfRank(i), BOTTOM + 16, 10, "middle", describe(x.value(i)));
        }
        text(svg, (LEFT + RIGHT) / 2.0, BOTTOM + 40, 12, "middle", "key range");
    }

    /** A short name for a key boundary: which part of the key space it falls in. */
    static String describe(Key k) {
        if (k.equals(Key.MIN)) {
            return "start";
        }
        if (k.f1() == 0xFF) {
            return "end";
        }
        return switch (k.f1()) {
            case 0 -> k.f4() == 0 ? "db " + Integer.toUnsignedString(k.f3()) + " dirs"
                    : "rel " + Integer.toUnsignedString(k.f4()) + (k.f5() == 0 ? "" : "_" + k.f5()) + " blk "
                    + Integer.toUnsignedString(k.f6());
            case 1 -> "slru " + k.f2();
            case 2 -> "twophase";
            case 3 -> "control";
            default -> k.toString().substring(0, 8);
        };
    }

    private static void legend(StringBuilder svg) {
        int x = RIGHT + 24;
        int y = TOP + 10;
        text(svg, x, y, 12, "start", "Layer kinds");
        for (String[] kind : KINDS) {
            y += 22;
            svg.append("<rect x=\"").append(x).append("\" y=\"").append(y - 11).append("\" width=\"18\" height=\"12\" ")
                    .append("fill=\"").append(kind[1]).append("\" fill-opacity=\"0.75\" stroke=\"#333\" ")
                    .append("stroke-width=\"0.5\"/>\n");
            text(svg, x + 26, y, 11, "start", kind[2]);
        }
        String[][] lines = {{"#d62728", "", "GC cutoff"}, {"#222", "6,3", "branch point"}, {"#555", "6,3", "last record"}};
        for (String[] l : lines) {
            y += 22;
            svg.append("<line x1=\"").append(x).append("\" x2=\"").append(x + 18).append("\" y1=\"").append(y - 4)
                    .append("\" y2=\"").append(y - 4).append("\" stroke=\"").append(l[0]).append("\" stroke-width=\"1.5\"")
                    .append(l[1].isEmpty() ? "" : " stroke-dasharray=\"" + l[1] + "\"").append("/>\n");
            text(svg, x + 26, y, 11, "start", l[2]);
        }
    }

    private static void text(StringBuilder svg, double x, double y, int size, String anchor, String s) {
        text(svg, x, y, size, anchor, s, null);
    }

    private static void text(StringBuilder svg, double x, double y, int size, String anchor, String s,
                             String transform) {
        svg.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" font-size=\"").append(size)
                .append("\" text-anchor=\"").append(anchor).append('"');
        if (transform != null) {
            svg.append(" transform=\"").append(transform).append('"');
        }
        svg.append('>').append(escape(s)).append("</text>\n");
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Positions by rank: the i-th distinct value sits at from + i * (to - from) / (n - 1). */
    private static final class Axis<T> {
        private final List<T> values;
        private final double from;
        private final double to;

        Axis(List<T> sortedDistinct, double from, double to) {
            this.values = sortedDistinct;
            this.from = from;
            this.to = to;
        }

        int size() {
            return values.size();
        }

        T value(int rank) {
            return values.get(rank);
        }

        double posOfRank(int rank) {
            return values.size() <= 1 ? (from + to) / 2 : from + rank * (to - from) / (values.size() - 1);
        }

        @SuppressWarnings("unchecked")
        double pos(T v) {
            int r = java.util.Collections.binarySearch(values, v, (a, b) -> a instanceof Long la
                    ? Long.compareUnsigned(la, (Long) b) : ((Comparable<T>) a).compareTo(b));
            return posOfRank(Math.max(r, 0));
        }
    }
}
