package dev.strata.storage.pgdata;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import dev.strata.storage.timeline.TimelineWriter;
import dev.strata.storage.value.Value;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A timeline kept in memory for unit tests of the data-directory mapping: every version of every key, committed
 * per record. Reads return images only (a record value found on the way is returned to the test through
 * {@link #versions(Key)} instead; redo is not this test's subject).
 */
final class MemoryTimeline implements Timeline, TimelineWriter {
    private final TreeMap<Key, TreeMap<Long, Value>> committed = new TreeMap<>();
    private final List<Object[]> pending = new ArrayList<>();
    private final Map<String, String> props = new HashMap<>();
    private long last;
    private long prev;

    MemoryTimeline(long startLsn) {
        this.last = startLsn;
    }

    /** All committed versions of a key, by LSN. */
    NavigableMap<Long, Value> versions(Key key) {
        return committed.getOrDefault(key, new TreeMap<>());
    }

    @Override
    public void put(Key key, long lsn, Value value) {
        for (Object[] p : pending) {
            if (p[0].equals(key) && (long) p[1] == lsn) {
                throw new IllegalStateException("key " + key + " put twice at " + lsn);
            }
        }
        pending.add(new Object[] {key, lsn, value});
    }

    @Override
    public void finishRecord(long startLsn, long endLsn) {
        for (Object[] p : pending) {
            committed.computeIfAbsent((Key) p[0], k -> new TreeMap<>()).put((Long) p[1], (Value) p[2]);
        }
        pending.clear();
        prev = startLsn;
        last = endLsn;
    }

    @Override
    public byte[] getPending(Key key, long lsn) {
        for (int i = pending.size() - 1; i >= 0; i--) {
            Object[] p = pending.get(i);
            if (p[0].equals(key) && (long) p[1] <= lsn) {
                return image(key, (Value) p[2]);
            }
        }
        return getOrNull(key, lsn);
    }

    private static byte[] image(Key key, Value v) {
        if (!v.isImage()) {
            throw new IllegalStateException("MemoryTimeline reads images only; " + key + " has " + v);
        }
        return v.payload();
    }

    @Override
    public byte[] get(Key key, long lsn) {
        byte[] v = getOrNull(key, lsn);
        if (v == null) {
            throw new KeyNotFoundException("no " + key + " at " + lsn);
        }
        return v;
    }

    @Override
    public byte[] getOrNull(Key key, long lsn) {
        TreeMap<Long, Value> vs = committed.get(key);
        if (vs == null) {
            return null;
        }
        Map.Entry<Long, Value> e = vs.floorEntry(lsn);
        return e == null ? null : image(key, e.getValue());
    }

    @Override
    public List<Key> keys(Key start, Key end, long lsn) {
        List<Key> out = new ArrayList<>();
        for (Map.Entry<Key, TreeMap<Long, Value>> e : committed.subMap(start, end).entrySet()) {
            if (e.getValue().floorKey(lsn) != null) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    @Override
    public String tenantId() {
        return "00000000000000000000000000000001";
    }

    @Override
    public String timelineId() {
        return "00000000000000000000000000000002";
    }

    @Override
    public String ancestorTimelineId() {
        return null;
    }

    @Override
    public long ancestorLsn() {
        return 0;
    }

    @Override
    public long startLsn() {
        return 0;
    }

    @Override
    public long lastRecordLsn() {
        return last;
    }

    @Override
    public long prevRecordLsn() {
        return prev;
    }

    @Override
    public long diskConsistentLsn() {
        return last;
    }

    @Override
    public long gcCutoffLsn() {
        return 0;
    }

    @Override
    public TimelineState state() {
        return TimelineState.ACTIVE;
    }

    @Override
    public String brokenReason() {
        return null;
    }

    @Override
    public void setBroken(String reason) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public TimelineWriter writer() {
        return this;
    }

    @Override
    public void waitForLsn(long lsn, Duration timeout) {
        // every record is committed synchronously
    }

    @Override
    public void checkpoint() {
        // nothing to flush
    }

    @Override
    public String compact() {
        return "";
    }

    @Override
    public String gc() {
        return "";
    }

    @Override
    public long leaseLsn(long lsn, Duration length) {
        return 0;
    }

    @Override
    public List<LayerInfo> layers() {
        return List.of();
    }

    @Override
    public long physicalSize() {
        return 0;
    }

    @Override
    public Map<String, String> properties() {
        return props;
    }

    @Override
    public void setProperty(String name, String value) {
        props.put(name, value);
    }
}
