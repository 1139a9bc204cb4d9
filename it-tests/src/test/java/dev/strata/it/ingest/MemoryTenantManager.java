package dev.strata.it.ingest;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.StorageException;
import dev.strata.storage.key.Key;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.redo.PageRedo;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import dev.strata.storage.timeline.TimelineWriter;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;

/**
 * Tenants and timelines kept in memory, reading through Strata's Java redo: a stand-in for the layer engine while
 * it is not available, so that the replication path can be exercised end to end against a real primary.
 */
final class MemoryTenantManager implements TenantManager {
    private final Map<String, MemTenant> tenants = new ConcurrentHashMap<>();
    private final PageRedo redo = new JavaPageRedo();

    @Override
    public Tenant createTenant(String tenantId) {
        String id = tenantId != null ? tenantId : UUID.randomUUID().toString().replace("-", "");
        return tenants.computeIfAbsent(id, MemTenant::new);
    }

    @Override
    public List<Tenant> tenants() {
        return new ArrayList<>(tenants.values());
    }

    @Override
    public Tenant tenant(String tenantId) {
        MemTenant t = tenants.get(tenantId);
        if (t == null) {
            throw new StorageException("no tenant " + tenantId);
        }
        return t;
    }

    @Override
    public void close() {
    }

    final class MemTenant implements Tenant {
        private final String id;
        private final Map<String, MemTimeline> timelines = new ConcurrentHashMap<>();

        MemTenant(String id) {
            this.id = id;
        }

        @Override
        public String tenantId() {
            return id;
        }

        @Override
        public List<Timeline> timelines() {
            return new ArrayList<>(timelines.values());
        }

        @Override
        public Timeline timeline(String timelineId) {
            MemTimeline t = timelines.get(timelineId);
            if (t == null) {
                throw new StorageException("no timeline " + timelineId);
            }
            return t;
        }

        @Override
        public Timeline createTimeline(String timelineId, long startLsn) {
            String tid = timelineId != null ? timelineId : UUID.randomUUID().toString().replace("-", "");
            MemTimeline t = new MemTimeline(id, tid, startLsn);
            timelines.put(tid, t);
            return t;
        }

        @Override
        public Timeline branch(String parentId, String newId, long lsn) {
            throw new UnsupportedOperationException("branching is not part of this stand-in");
        }

        @Override
        public long physicalSize() {
            return 0;
        }
    }

    final class MemTimeline implements Timeline, TimelineWriter {
        private final String tenantId;
        private final String timelineId;
        private final long startLsn;
        private final ConcurrentSkipListMap<Key, ConcurrentSkipListMap<Long, Value>> data =
                new ConcurrentSkipListMap<>();
        private final List<Object[]> pending = new ArrayList<>();
        private final Map<String, String> props = new ConcurrentHashMap<>();
        private volatile long last;
        private volatile long prev;
        private volatile String broken;

        MemTimeline(String tenantId, String timelineId, long startLsn) {
            this.tenantId = tenantId;
            this.timelineId = timelineId;
            this.startLsn = startLsn;
            this.last = startLsn;
        }

        @Override
        public void put(Key key, long lsn, Value value) {
            pending.add(new Object[] {key, lsn, value});
        }

        @Override
        public void finishRecord(long startLsn, long endLsn) {
            for (Object[] p : pending) {
                Value old = data.computeIfAbsent((Key) p[0], k -> new ConcurrentSkipListMap<>())
                        .put((Long) p[1], (Value) p[2]);
                if (old != null) {
                    throw new IllegalStateException("key " + p[0] + " put twice at " + p[1]);
                }
            }
            pending.clear();
            synchronized (this) {
                prev = startLsn;
                last = endLsn;
                notifyAll();
            }
        }

        @Override
        public byte[] getPending(Key key, long lsn) {
            for (int i = pending.size() - 1; i >= 0; i--) {
                Object[] p = pending.get(i);
                if (p[0].equals(key) && (long) p[1] <= lsn && ((Value) p[2]).isImage()) {
                    return ((Value) p[2]).payload();
                }
            }
            return getOrNull(key, lsn);
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
            ConcurrentSkipListMap<Long, Value> vs = data.get(key);
            if (vs == null) {
                return null;
            }
            NavigableMap<Long, Value> upTo = vs.headMap(lsn, true).descendingMap();
            List<VersionedValue> records = new ArrayList<>();
            byte[] base = null;
            long baseLsn = 0;
            for (Map.Entry<Long, Value> e : upTo.entrySet()) {
                if (e.getValue().isImage()) {
                    base = e.getValue().payload();
                    baseLsn = e.getKey();
                    break;
                }
                records.add(new VersionedValue(e.getKey(), e.getValue()));
                if (e.getValue().willInit()) {
                    break;
                }
            }
            if (base == null && records.isEmpty()) {
                return null;
            }
            if (records.isEmpty()) {
                return base.clone();
            }
            Collections.reverse(records);
            return redo.reconstruct(key, lsn, base, baseLsn, records);
        }

        @Override
        public List<Key> keys(Key start, Key end, long lsn) {
            List<Key> out = new ArrayList<>();
            for (Map.Entry<Key, ConcurrentSkipListMap<Long, Value>> e : data.subMap(start, end).entrySet()) {
                if (e.getValue().floorKey(lsn) != null) {
                    out.add(e.getKey());
                }
            }
            return out;
        }

        @Override
        public String tenantId() {
            return tenantId;
        }

        @Override
        public String timelineId() {
            return timelineId;
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
            return startLsn;
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
            return broken != null ? TimelineState.BROKEN : TimelineState.ACTIVE;
        }

        @Override
        public String brokenReason() {
            return broken;
        }

        @Override
        public void setBroken(String reason) {
            broken = reason;
        }

        @Override
        public TimelineWriter writer() {
            return this;
        }

        @Override
        public synchronized void waitForLsn(long lsn, Duration timeout) throws TimeoutException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (last < lsn) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("waited for " + lsn + ", at " + last);
                }
                wait(Math.max(1, left / 1_000_000));
            }
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
}
