package dev.strata.wire.testkit;

import dev.strata.storage.StorageException;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tenants and timelines in memory for wire tests. */
public final class MemoryTenants implements TenantManager {
    private final Map<String, MemoryTenant> tenants = new ConcurrentHashMap<>();

    public static String randomId() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public MemoryTenant createTenant(String tenantId) {
        String id = tenantId == null ? randomId() : tenantId;
        MemoryTenant t = new MemoryTenant(id);
        if (tenants.putIfAbsent(id, t) != null) {
            throw new StorageException("tenant " + id + " exists");
        }
        return t;
    }

    public List<Tenant> tenants() {
        return new ArrayList<>(tenants.values());
    }

    public MemoryTenant tenant(String tenantId) {
        MemoryTenant t = tenants.get(tenantId);
        if (t == null) {
            throw new StorageException("no tenant " + tenantId);
        }
        return t;
    }

    public void close() {
    }

    /** A tenant whose timelines are {@link MemoryTimeline}s. */
    public static final class MemoryTenant implements Tenant {
        private final String id;
        private final Map<String, MemoryTimeline> timelines = new ConcurrentHashMap<>();

        MemoryTenant(String id) {
            this.id = id;
        }

        public String tenantId() {
            return id;
        }

        public List<Timeline> timelines() {
            return new ArrayList<>(timelines.values());
        }

        public MemoryTimeline timeline(String timelineId) {
            MemoryTimeline tl = timelines.get(timelineId);
            if (tl == null) {
                throw new StorageException("no timeline " + timelineId);
            }
            return tl;
        }

        public MemoryTimeline createTimeline(String timelineId, long startLsn) {
            MemoryTimeline tl = new MemoryTimeline(id, timelineId == null ? randomId() : timelineId, startLsn);
            timelines.put(tl.timelineId(), tl);
            return tl;
        }

        public Timeline branch(String parentId, String newId, long lsn) {
            throw new UnsupportedOperationException("memory timelines do not branch");
        }

        public long physicalSize() {
            return 0;
        }
    }
}
