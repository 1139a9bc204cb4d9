package dev.strata.storage.tenant;

import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.StorageException;
import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.EngineContext;
import dev.strata.storage.timeline.LocalTimeline;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineFamily;
import dev.strata.storage.timeline.TimelineLoader;
import dev.strata.storage.timeline.TimelineMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A tenant in {@code <data dir>/tenants/<tenant id>/}, its timelines in {@code timelines/<timeline id>/} (see
 * {@link TimelineLoader} for what a timeline directory holds).
 */
public final class LocalTenant implements Tenant, TimelineFamily {
    static final String TIMELINES = "timelines";

    private final EngineContext ctx;
    private final String tenantId;
    private final Path dir;
    private final Object gcLock = new Object();
    private final Map<String, LocalTimeline> timelines = new LinkedHashMap<>();

    private LocalTenant(EngineContext ctx, String tenantId, Path dir) {
        this.ctx = ctx;
        this.tenantId = tenantId;
        this.dir = dir;
    }

    /** Creates the directory of a new tenant (under a temporary name, then renamed into place). */
    static LocalTenant create(EngineContext ctx, String tenantId, Path dir) {
        Path temp = dir.resolveSibling(dir.getFileName() + DurableFiles.TEMP_SUFFIX);
        TimelineLoader.deleteTree(temp);
        ctx.files().createDirectory(temp.resolve(TIMELINES), "tenant");
        ctx.files().rename(temp, dir, "tenant");
        return new LocalTenant(ctx, tenantId, dir);
    }

    /** Opens a tenant directory and every timeline in it, ancestors before their branches. */
    static LocalTenant open(EngineContext ctx, String tenantId, Path dir) {
        LocalTenant t = new LocalTenant(ctx, tenantId, dir);
        Path tlDir = dir.resolve(TIMELINES);
        if (!Files.isDirectory(tlDir)) {
            ctx.files().createDirectory(tlDir, "tenant");
        }
        Map<String, TimelineMetadata> metas = new HashMap<>();
        try (Stream<Path> s = Files.list(tlDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(DurableFiles.TEMP_SUFFIX)) {
                    TimelineLoader.deleteTree(p);
                } else if (Ids.isId(name) && Files.isDirectory(p)) {
                    metas.put(name, TimelineLoader.readMetadata(p));
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + tlDir + ": " + e.getMessage(), e);
        }
        while (t.timelines.size() < metas.size()) {
            int before = t.timelines.size();
            for (Map.Entry<String, TimelineMetadata> e : metas.entrySet()) {
                String id = e.getKey();
                String parent = e.getValue().ancestorId();
                if (t.timelines.containsKey(id) || (parent != null && !t.timelines.containsKey(parent))) {
                    continue;
                }
                t.timelines.put(id, TimelineLoader.open(ctx, tenantId, id, tlDir.resolve(id), e.getValue(),
                        parent == null ? null : t.timelines.get(parent), t));
            }
            if (t.timelines.size() == before) {
                List<String> missing = new ArrayList<>(metas.keySet());
                missing.removeAll(t.timelines.keySet());
                throw new StorageException("tenant " + tenantId + ": timelines " + missing
                        + " have ancestors that are not in " + tlDir);
            }
        }
        return t;
    }

    @Override
    public String tenantId() {
        return tenantId;
    }

    @Override
    public synchronized List<Timeline> timelines() {
        return new ArrayList<>(timelines.values());
    }

    synchronized List<LocalTimeline> localTimelines() {
        return new ArrayList<>(timelines.values());
    }

    @Override
    public synchronized LocalTimeline timeline(String timelineId) {
        LocalTimeline t = timelines.get(timelineId);
        if (t == null) {
            throw new StorageException("tenant " + tenantId + " has no timeline " + timelineId);
        }
        return t;
    }

    @Override
    public synchronized LocalTimeline createTimeline(String timelineId, long startLsn) {
        String id = newId(timelineId);
        LocalTimeline t = TimelineLoader.create(ctx, tenantId, id, timelineDir(id),
                TimelineMetadata.initial(null, 0, startLsn, 0), null, this);
        timelines.put(id, t);
        return t;
    }

    @Override
    public LocalTimeline branch(String parentId, String newId, long lsn) {
        LocalTimeline source = timeline(parentId);
        if ((lsn == 0 ? source.lastRecordLsn() : lsn) > source.diskConsistentLsn()) {
            // The branch point must survive a crash of the parent: after a restart the child reads the parent at
            // that LSN before the parent's ingest could re-ingest it.
            source.checkpoint();
        }
        synchronized (gcLock) {
            synchronized (this) {
                LocalTimeline parent = timeline(parentId);
                long at = lsn == 0 ? parent.lastRecordLsn() : lsn;
                if (at < parent.startLsn() || at > parent.lastRecordLsn()) {
                    throw new StorageException("cannot branch timeline " + parentId + " at " + Lsn.format(at)
                            + ": it is readable from " + Lsn.format(parent.startLsn()) + " to its last record LSN "
                            + Lsn.format(parent.lastRecordLsn()));
                }
                if (at > parent.diskConsistentLsn()) {
                    throw new StorageException("cannot branch timeline " + parentId + " at " + Lsn.format(at)
                            + ": it is not durable there yet (disk-consistent LSN "
                            + Lsn.format(parent.diskConsistentLsn()) + "); retry");
                }
                if (at < parent.gcCutoffLsn() && !parent.isRetained(at)) {
                    throw new LsnBelowGcCutoffException(at, parent.gcCutoffLsn());
                }
                String id = newId(newId);
                long prev = at == parent.lastRecordLsn() ? parent.prevRecordLsn() : 0;
                LocalTimeline t = TimelineLoader.create(ctx, tenantId, id, timelineDir(id),
                        TimelineMetadata.initial(parentId, at, at, prev), parent, this);
                timelines.put(id, t);
                return t;
            }
        }
    }

    private String newId(String requested) {
        String id = requested == null ? Ids.random() : requested;
        if (!Ids.isId(id)) {
            throw new IllegalArgumentException("timeline id '" + id + "' is not 32 lowercase hex digits");
        }
        if (timelines.containsKey(id)) {
            throw new StorageException("tenant " + tenantId + " already has a timeline " + id);
        }
        return id;
    }

    private Path timelineDir(String id) {
        return dir.resolve(TIMELINES).resolve(id);
    }

    @Override
    public long physicalSize() {
        long n = 0;
        for (LocalTimeline t : localTimelines()) {
            n += t.physicalSize();
        }
        return n;
    }

    @Override
    public synchronized List<Long> branchPointsOf(String timelineId) {
        List<Long> out = new ArrayList<>();
        for (LocalTimeline t : timelines.values()) {
            if (timelineId.equals(t.ancestorTimelineId())) {
                out.add(t.ancestorLsn());
            }
        }
        return out;
    }

    @Override
    public Object gcLock() {
        return gcLock;
    }

    /** Shuts every timeline down, branches first (they read through their ancestors). */
    void shutdown(boolean flush) {
        List<LocalTimeline> all = localTimelines();
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).shutdownTimeline(flush);
        }
    }

    static boolean isTenantDir(Path p) {
        return Files.isDirectory(p) && Ids.isId(p.getFileName().toString());
    }
}
