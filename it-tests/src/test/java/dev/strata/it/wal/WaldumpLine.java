package dev.strata.it.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields of a pg_waldump line that Strata must reproduce exactly: rmgr, record and total length, xid, lsn,
 * prev, record type and every block reference (relation, fork, block, FPW marker). The free-text description
 * after the record type is not compared.
 */
record WaldumpLine(String rmgr, long recLen, long totLen, long xid, String lsn, String prev, String type,
                   List<String> blockRefs, String text) {
    private static final Pattern HEAD = Pattern.compile(
            "^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s+(\\d+)/\\s*(\\d+), tx:\\s+(\\d+), lsn: (\\S+), prev (\\S+), "
                    + "desc: (UNKNOWN \\([0-9a-f]+\\)|\\S+)");
    private static final Pattern BLOCK = Pattern.compile(
            "blkref #\\d+: rel \\d+/\\d+/\\d+(?: fork \\w+)? blk \\d+(?: FPW(?: for WAL verification)?)?");

    static WaldumpLine parse(String line) {
        Matcher m = HEAD.matcher(line);
        if (!m.find()) {
            throw new IllegalArgumentException("not a pg_waldump record line: " + line);
        }
        List<String> blocks = new ArrayList<>();
        Matcher b = BLOCK.matcher(line);
        while (b.find()) {
            blocks.add(b.group());
        }
        return new WaldumpLine(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), m.group(5), m.group(6), m.group(7), blocks, line);
    }

    /** Everything compared, without the free text. */
    boolean sameFields(WaldumpLine o) {
        return rmgr.equals(o.rmgr) && recLen == o.recLen && totLen == o.totLen && xid == o.xid && lsn.equals(o.lsn)
                && prev.equals(o.prev) && type.equals(o.type) && blockRefs.equals(o.blockRefs);
    }

    static List<WaldumpLine> parseAll(String output) {
        List<WaldumpLine> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("rmgr: ")) {
                out.add(parse(line));
            }
        }
        return out;
    }
}
