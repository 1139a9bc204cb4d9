package dev.strata.replication.ingest;

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
 * A timeline that records every value put, for checking what ingest stores. Reads return the newest image at or
 * below the LSN (enough for the metadata values ingest reads back).
 */
final class RecordingTimeline implements Timeline, TimelineWriter {
    private final TreeMap<Key, TreeMap<Long, Value>> values = new TreeMap<>();
    private final List<Object[]> pending = new ArrayList<>();
    private final Map<String, String> props = new HashMap<>();
    private long last;

    RecordingTimeline(long start) {
        this.last = start;
    }

    NavigableMap<Long, Value> versions(Key key) {
        return values.getOrDefault(key, new TreeMap<>());
    }

    /** The value stored under {@code key} by the record ending at {@code lsn}, or null. */
    Value at(Key key, long lsn) {
        return versions(key).get(lsn);
    }

    @Override
    public void put(Key key, long lsn, Value value) {
        pending.add(new Object[] {key, lsn, value});
    }

    @Override
    public void finishRecord(long startLsn, long endLsn) {
        for (Object[] p : pending) {
            Value old = values.computeIfAbsent((Key) p[0], k -> new TreeMap<>()).put((Long) p[1], (Value) p[2]);
            if (old != null) {
                throw new IllegalStateException(p[0] + " put twice at " + p[1]);
            }
        }
        pending.clear();
        last = endLsn;
    }

    @Override
    public byte[] getPending(Key key, long lsn) {
        for (int i = pending.size() - 1; i >= 0; i--) {
            Object[] p = pending.get(i);
            if (p[0].equals(key) && ((Value) p[2]).isImage()) {
                return ((Value) p[2]).payload();
            }
        }
        return getOrNull(key, lsn);
    }

    @Override
    public byte[] get(Key key, long lsn) {
        return getOrNull(key, lsn);
    }

    @Override
    public byte[] getOrNull(Key key, long lsn) {
        TreeMap<Long, Value> vs = values.get(key);
        if (vs == null) {
            return null;
        }
        for (Value v : vs.headMap(lsn, true).descendingMap().values()) {
            if (v.isImage()) {
                return v.payload();
            }
        }
        return null;
    }

    @Override
    public List<Key> keys(Key start, Key end, long lsn) {
        return new ArrayList<>(values.subMap(start, end).keySet());
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
        return 0;
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
        throw new IllegalStateException("broken: " + reason);
    }

    @Override
    public TimelineWriter writer() {
        return this;
    }

    @Override
    public void waitForLsn(long lsn, Duration timeout) {
    }

    @Override
    public void checkpoint() {
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
