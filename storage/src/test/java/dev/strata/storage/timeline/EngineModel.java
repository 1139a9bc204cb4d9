package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.value.Value;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plain in-memory model of timelines: every committed value by key and LSN, the ancestry, and the log of records
 * (what a WAL source would send again after a crash). Values reconstruct like {@link AppendRedo}.
 */
final class EngineModel {
    /** One committed record: its LSNs and the values put for it. */
    record Rec(long start, long end, List<Map.Entry<Key, Value>> puts) {
    }

    static final class Tl {
        final String id;
        final Tl parent;
        final long ancestorLsn;
        final long startLsn;
        final TreeMap<Key, TreeMap<Long, Value>> versions = new TreeMap<>();
        final List<Rec> log = new ArrayList<>();
        final List<Long> ends = new ArrayList<>();
        final TreeMap<Long, Long> leases = new TreeMap<>();
        long last;
        long prev;

        Tl(String id, Tl parent, long ancestorLsn, long startLsn, long prev) {
            this.id = id;
            this.parent = parent;
            this.ancestorLsn = ancestorLsn;
            this.startLsn = startLsn;
            this.last = startLsn;
            this.prev = prev;
        }

        void commit(Rec r) {
            for (Map.Entry<Key, Value> e : r.puts()) {
                versions.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(r.end(), e.getValue());
            }
            log.add(r);
            ends.add(r.end());
            last = r.end();
            prev = r.start();
        }

        /** The prev record LSN the timeline had when its last record LSN was {@code lsn}. */
        long prevAt(long lsn) {
            if (lsn == startLsn && log.stream().noneMatch(r -> r.end() == lsn)) {
                return -1; // unknown: whatever the branch or creation recorded
            }
            for (int i = log.size() - 1; i >= 0; i--) {
                if (log.get(i).end() <= lsn) {
                    return log.get(i).start();
                }
            }
            return -1;
        }
    }

    final Map<String, Tl> timelines = new LinkedHashMap<>();

    Tl add(Tl t) {
        timelines.put(t.id, t);
        return t;
    }

    /** The expected value, or null when the key has no version at or below lsn. */
    static byte[] expected(Tl t, Key k, long lsn) {
        List<Value> newestFirst = new ArrayList<>();
        Tl cur = t;
        long at = lsn;
        boolean complete = false;
        while (cur != null && !complete) {
            TreeMap<Long, Value> vs = cur.versions.get(k);
            if (vs != null) {
                for (Value v : vs.headMap(at, true).descendingMap().values()) {
                    newestFirst.add(v);
                    if (v.willInit()) {
                        complete = true;
                        break;
                    }
                }
            }
            at = Math.min(at, cur.ancestorLsn);
            cur = cur.parent;
        }
        if (newestFirst.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            Value v = newestFirst.get(i);
            if (v.willInit()) {
                out.reset();
            }
            out.writeBytes(v.payload());
        }
        return out.toByteArray();
    }

    static TreeSet<Key> keys(Tl t, long lsn) {
        TreeSet<Key> out = new TreeSet<>();
        Tl cur = t;
        long at = lsn;
        while (cur != null) {
            for (Map.Entry<Key, TreeMap<Long, Value>> e : cur.versions.entrySet()) {
                if (e.getValue().firstKey() <= at) {
                    out.add(e.getKey());
                }
            }
            at = Math.min(at, cur.ancestorLsn);
            cur = cur.parent;
        }
        return out;
    }

    List<Long> branchPointsOf(Tl t) {
        List<Long> out = new ArrayList<>();
        for (Tl c : timelines.values()) {
            if (c.parent == t) {
                out.add(c.ancestorLsn);
            }
        }
        return out;
    }
}
