package dev.strata.wire.testkit;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import dev.strata.storage.timeline.TimelineWriter;
import dev.strata.storage.value.Value;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;

/**
 * A timeline held in memory for wire tests: every key keeps its versions by LSN; only image values are stored
 * (the wire module never redoes). Ingest is simulated through {@link #writer()}.
 */
public final class MemoryTimeline implements Timeline {
    private final String tenantId;
    private final String timelineId;
    private final long startLsn;
    private final ConcurrentSkipListMap<Key, NavigableMap<Long, byte[]>> data = new ConcurrentSkipListMap<>();
    private final List<Object[]> pending = new ArrayList<>();
    private final Map<String, String> properties = new ConcurrentHashMap<>();
    private volatile long lastRecordLsn;
    private volatile long prevRecordLsn;
    private volatile long gcCutoff;
    private volatile TimelineState state = TimelineState.ACTIVE;
    private volatile String brokenReason;
    private final List<LayerInfo> layers = new ArrayList<>();

    public MemoryTimeline(String tenantId, String timelineId, long startLsn) {
        this.tenantId = tenantId;
        this.timelineId = timelineId;
        this.startLsn = startLsn;
        this.lastRecordLsn = startLsn;
    }

    public String tenantId() {
        return tenantId;
    }

    public String timelineId() {
        return timelineId;
    }

    public String ancestorTimelineId() {
        return null;
    }

    public long ancestorLsn() {
        return 0;
    }

    public long startLsn() {
        return startLsn;
    }

    public long lastRecordLsn() {
        return lastRecordLsn;
    }

    public long prevRecordLsn() {
        return prevRecordLsn;
    }

    public long diskConsistentLsn() {
        return lastRecordLsn;
    }

    public long gcCutoffLsn() {
        return gcCutoff;
    }

    public void setGcCutoff(long lsn) {
        gcCutoff = lsn;
    }

    public TimelineState state() {
        return state;
    }

    public String brokenReason() {
        return brokenReason;
    }

    public void setBroken(String reason) {
        brokenReason = reason;
        state = TimelineState.BROKEN;
    }

    public TimelineWriter writer() {
        return new TimelineWriter() {
            @Override
            public void put(Key key, long lsn, Value value) {
                if (!value.isImage()) {
                    throw new IllegalArgumentException("the memory timeline stores images only");
                }
                synchronized (pending) {
                    pending.add(new Object[]{key, lsn, value.payload()});
                }
            }

            @Override
            public void finishRecord(long start, long end) {
                synchronized (pending) {
                    for (Object[] p : pending) {
                        data.computeIfAbsent((Key) p[0], k -> new ConcurrentSkipListMap<>()).put((Long) p[1],
                                (byte[]) p[2]);
                    }
                    pending.clear();
                }
                synchronized (MemoryTimeline.this) {
                    prevRecordLsn = start;
                    lastRecordLsn = end;
                    MemoryTimeline.this.notifyAll();
                }
            }

            @Override
            public byte[] getPending(Key key, long lsn) {
                return getOrNull(key, lsn);
            }
        };
    }

    /** Stores an image and commits it as one record ending at {@code lsn}. */
    public void putImage(Key key, long lsn, byte[] image) {
        TimelineWriter w = writer();
        w.put(key, lsn, Value.image(image));
        w.finishRecord(Math.max(startLsn, lsn - 8), Math.max(lsn, lastRecordLsn));
    }

    public byte[] get(Key key, long lsn) {
        byte[] v = getOrNull(key, lsn);
        if (v == null) {
            throw new KeyNotFoundException("key " + key + " has no version at or below " + Lsn.format(lsn));
        }
        return v;
    }

    public byte[] getOrNull(Key key, long lsn) {
        if (Long.compareUnsigned(lsn, gcCutoff) < 0) {
            throw new LsnBelowGcCutoffException(lsn, gcCutoff);
        }
        NavigableMap<Long, byte[]> versions = data.get(key);
        if (versions == null) {
            return null;
        }
        Map.Entry<Long, byte[]> e = versions.floorEntry(lsn);
        return e == null ? null : e.getValue();
    }

    public List<Key> keys(Key start, Key end, long lsn) {
        List<Key> out = new ArrayList<>();
        for (Map.Entry<Key, NavigableMap<Long, byte[]>> e : data.subMap(start, end).entrySet()) {
            if (e.getValue().floorKey(lsn) != null) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    public synchronized void waitForLsn(long lsn, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Long.compareUnsigned(lastRecordLsn, lsn) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("timed out waiting for " + Lsn.format(lsn) + ", last record "
                        + Lsn.format(lastRecordLsn));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    public void checkpoint() {
    }

    public String compact() {
        return "compaction: nothing to do (memory timeline)";
    }

    public String gc() {
        return "gc: cutoff " + Lsn.format(gcCutoff);
    }

    public long leaseLsn(long lsn, Duration length) {
        return System.currentTimeMillis() + length.toMillis();
    }

    public List<LayerInfo> layers() {
        return layers;
    }

    public void addLayer(LayerInfo l) {
        layers.add(l);
    }

    public long physicalSize() {
        return 0;
    }

    public Map<String, String> properties() {
        return properties;
    }

    public void setProperty(String name, String value) {
        properties.put(name, value);
    }

    /** All keys (for view scans). */
    NavigableMap<Key, NavigableMap<Long, byte[]>> data() {
        return data;
    }
}
