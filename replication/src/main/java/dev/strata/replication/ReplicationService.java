package dev.strata.replication;

import dev.strata.replication.basebackup.BaseBackupImport;
import dev.strata.replication.ingest.WalIngest;
import dev.strata.replication.pgwire.ConnInfo;
import dev.strata.replication.stream.PermanentFailure;
import dev.strata.replication.stream.PrimaryConnection;
import dev.strata.replication.stream.SlotManager;
import dev.strata.replication.stream.SystemInfo;
import dev.strata.replication.stream.TimelineStreamer;
import dev.strata.replication.stream.WalSource;
import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import dev.strata.storage.wal.BlockImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feeds timelines from PostgreSQL 15 primaries. The server and the admin commands use only this class.
 *
 * <ul>
 *   <li>{@link #createFromPrimary}: checks the primary (PostgreSQL 15, wal_level replica or logical), creates or
 *       reuses a physical slot with WAL reserved, imports a BASE_BACKUP into a new timeline, streams WAL from the
 *       backup's start and returns once the timeline is consistent (the backup's end LSN is ingested) and
 *       durable. The WAL source is kept in the timeline's properties.</li>
 *   <li>{@link #resumeAll}: on server start, resumes streaming for every timeline with a WAL source, from its last
 *       record LSN (after a restart, the durable LSN).</li>
 *   <li>{@link #status}: state, LSNs, lag, import progress, counters, last error.</li>
 *   <li>{@link #close}: stops all streaming (the timelines flush when the tenant manager closes).</li>
 * </ul>
 *
 * <p>Timeline properties written: {@value #PROP_CONNINFO}, {@value #PROP_SLOT}, {@value #PROP_SYSTEM_ID},
 * {@value #PROP_PG_TIMELINE}, {@value #PROP_IMPORT_START_LSN}, {@value #PROP_CONSISTENT_LSN}, {@value #PROP_IMPORT}
 * ({@code running} while the backup is imported, {@code imported} once its values are durable, {@code done}
 * once the timeline is consistent). A timeline whose import was interrupted goes broken on resume.
 *
 * <p>Thread-safe.
 */
public final class ReplicationService implements AutoCloseable {
    public static final String PROP_CONNINFO = "wal_source.conninfo";
    public static final String PROP_SLOT = "wal_source.slot";
    public static final String PROP_SYSTEM_ID = "wal_source.system_id";
    public static final String PROP_PG_TIMELINE = "wal_source.pg_timeline";
    public static final String PROP_IMPORT = "wal_source.import";
    public static final String PROP_IMPORT_START_LSN = "wal_source.import_start_lsn";
    public static final String PROP_CONSISTENT_LSN = "wal_source.consistent_lsn";
    public static final String DEFAULT_SLOT = "strata";

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationService.class);

    private final TenantManager tenants;
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One timeline's import progress and streamer. */
    private static final class Feed {
        final ImportProgress progress = new ImportProgress();
        volatile boolean importing = true;
        volatile TimelineStreamer streamer;
        volatile String conninfo;
        volatile String slot;
    }

    public ReplicationService(TenantManager tenants) {
        this.tenants = tenants;
    }

    private static String key(String tenantId, String timelineId) {
        return tenantId + "/" + timelineId;
    }

    /**
     * Creates a timeline from a primary: slot, base backup import, streaming; returns once the timeline is
     * readable at the backup's end LSN.
     *
     * @param tenantId        the tenant (created when it does not exist)
     * @param timelineIdOrNull the new timeline's id, or null for a random one
     * @param conninfo        libpq connection string of the primary
     * @param slotName        physical slot name, or null for {@value #DEFAULT_SLOT}
     * @throws ReplicationException with what to do when the primary cannot be used or the import fails
     */
    public Timeline createFromPrimary(String tenantId, String timelineIdOrNull, String conninfo, String slotName) {
        ConnInfo info = parse(conninfo);
        String slot = slotName == null || slotName.isBlank() ? DEFAULT_SLOT : slotName;
        SystemInfo si = identify(info);
        boolean createdSlot = ensureSlot(info, slot);
        try {
            return importAndStream(info, conninfo, slot, si, tenantId, timelineIdOrNull);
        } catch (RuntimeException e) {
            if (createdSlot) {
                SlotManager.dropQuietly(info, slot);
            }
            throw e;
        }
    }

    private Timeline importAndStream(ConnInfo info, String conninfo, String slot, SystemInfo si, String tenantId,
                                     String timelineIdOrNull) {
        Tenant tenant = tenant(tenantId);
        Feed feed = new Feed();
        feed.conninfo = info.redacted();
        feed.slot = slot;
        Timeline[] created = new Timeline[1];
        BaseBackupImport.Result r;
        try {
            r = BaseBackupImport.run(info, (start, pgTli) -> {
                Timeline tl = tenant.createTimeline(timelineIdOrNull, start);
                created[0] = tl;
                setState(tl, TimelineState.LOADING);
                feeds.put(key(tenant.tenantId(), tl.timelineId()), feed);
                writeSource(tl, conninfo, slot, si, pgTli, start);
                return tl;
            }, feed.progress);
        } catch (IOException | StorageException | IllegalArgumentException e) {
            String reason = "importing a base backup from " + info.host() + ":" + info.port() + " failed: "
                    + e.getMessage();
            if (created[0] != null) {
                feeds.remove(key(tenant.tenantId(), created[0].timelineId()));
                created[0].setBroken(reason + ". This timeline is incomplete; create a new one");
            }
            throw new ReplicationException(reason, e);
        }
        Timeline tl = r.timeline();
        checkBackup(r, si);
        tl.setProperty(PROP_CONSISTENT_LSN, Lsn.format(r.endLsn()));
        tl.checkpoint();
        tl.setProperty(PROP_IMPORT, "imported");
        feed.importing = false;
        java.util.concurrent.CountDownLatch consistent = new java.util.concurrent.CountDownLatch(1);
        startStreaming(tl, feed, r.startLsn(), r.endLsn(), consistent::countDown);
        waitConsistent(feed, r.endLsn(), consistent);
        LOG.info("timeline {}/{} imported from {} and streaming; readable from {}", tenant.tenantId(),
                tl.timelineId(), info.redacted(), Lsn.format(r.endLsn()));
        return tl;
    }

    private static ConnInfo parse(String conninfo) {
        try {
            return ConnInfo.parse(conninfo);
        } catch (IllegalArgumentException e) {
            throw new ReplicationException(e.getMessage(), e);
        }
    }

    private static SystemInfo identify(ConnInfo info) {
        try (PrimaryConnection pc = PrimaryConnection.open(info)) {
            return pc.identify();
        } catch (PermanentFailure e) {
            throw new ReplicationException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ReplicationException("cannot open a replication connection to " + info.host() + ":"
                    + info.port() + " as " + info.user() + ": " + e.getMessage() + ". " + PrimaryDiagnosis.advice(info),
                    e);
        }
    }

    /** Returns true when the slot was created now. */
    private static boolean ensureSlot(ConnInfo info, String slot) {
        try {
            return SlotManager.ensure(info, slot);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ReplicationException(e.getMessage(), e);
        } catch (SQLException e) {
            throw new ReplicationException("cannot create replication slot '" + slot + "' on " + info.host() + ":"
                    + info.port() + ": " + e.getMessage() + ". The role needs REPLICATION and the primary "
                    + "max_replication_slots >= 1", e);
        }
    }

    private Tenant tenant(String tenantId) {
        if (tenantId != null) {
            for (Tenant t : tenants.tenants()) {
                if (t.tenantId().equals(tenantId)) {
                    return t;
                }
            }
        }
        return tenants.createTenant(tenantId);
    }

    private static void writeSource(Timeline tl, String conninfo, String slot, SystemInfo si, int pgTli, long start) {
        tl.setProperty(PROP_IMPORT, "running");
        tl.setProperty(PROP_CONNINFO, conninfo);
        tl.setProperty(PROP_SLOT, slot);
        tl.setProperty(PROP_SYSTEM_ID, Long.toUnsignedString(si.systemId()));
        tl.setProperty(PROP_PG_TIMELINE, Integer.toString(pgTli));
        tl.setProperty(PROP_IMPORT_START_LSN, Lsn.format(start));
    }

    private static void checkBackup(BaseBackupImport.Result r, SystemInfo si) {
        if (r.control().systemIdentifier() != si.systemId()) {
            String reason = "the base backup's pg_control has system identifier "
                    + Long.toUnsignedString(r.control().systemIdentifier()) + " but the server identified as "
                    + Long.toUnsignedString(si.systemId()) + "; the connection string reaches two different clusters";
            r.timeline().setBroken(reason);
            throw new ReplicationException(reason);
        }
        if (r.pgTimeline() != si.timeline()) {
            String reason = "the primary switched from timeline " + si.timeline() + " to " + r.pgTimeline()
                    + " during the base backup; create the timeline again";
            r.timeline().setBroken(reason);
            throw new ReplicationException(reason);
        }
    }

    /**
     * Starts the streamer; when the timeline reaches its consistent LSN it becomes ACTIVE, its import is marked
     * done, and {@code then} runs.
     */
    private void startStreaming(Timeline tl, Feed feed, long importStart, long consistentLsn, Runnable then) {
        WalSource src = source(tl);
        WalIngest ingest = new WalIngest(new DatadirModification(tl), BlockImages::restore);
        TimelineStreamer s = new TimelineStreamer(tl, src, ingest, importStart);
        if (consistentLsn != Lsn.INVALID) {
            s.whenReached(consistentLsn, () -> {
                tl.setProperty(PROP_IMPORT, "done");
                setState(tl, TimelineState.ACTIVE);
                then.run();
            });
        }
        feed.streamer = s;
        if (closed) {
            return;
        }
        s.start();
    }

    /** LOADING while importing and until consistent, then ACTIVE (the layer engine's timelines keep it durably). */
    private static void setState(Timeline tl, TimelineState state) {
        if (tl instanceof dev.strata.storage.timeline.LocalTimeline local && tl.state() != TimelineState.BROKEN) {
            local.setState(state, null);
        }
    }

    private static WalSource source(Timeline tl) {
        Map<String, String> p = tl.properties();
        return new WalSource(ConnInfo.parse(p.get(PROP_CONNINFO)), p.getOrDefault(PROP_SLOT, DEFAULT_SLOT),
                Long.parseUnsignedLong(p.get(PROP_SYSTEM_ID)), Integer.parseInt(p.get(PROP_PG_TIMELINE)));
    }

    private static void waitConsistent(Feed feed, long endLsn, java.util.concurrent.CountDownLatch consistent) {
        try {
            while (!consistent.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                TimelineStreamer s = feed.streamer;
                if (s.state() == TimelineStreamer.State.BROKEN || s.state() == TimelineStreamer.State.STOPPED) {
                    throw new ReplicationException("the timeline stopped before reaching its consistent point "
                            + Lsn.format(endLsn) + ": " + s.counters().lastError());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted while waiting for the timeline to reach "
                    + Lsn.format(endLsn));
        }
    }

    /** Resumes streaming for every timeline with a WAL source (on server start). */
    public void resumeAll() {
        for (Tenant t : tenants.tenants()) {
            for (Timeline tl : t.timelines()) {
                String k = key(t.tenantId(), tl.timelineId());
                if (!tl.properties().containsKey(PROP_CONNINFO) || feeds.containsKey(k)) {
                    continue;
                }
                resume(k, tl);
            }
        }
    }

    private void resume(String k, Timeline tl) {
        Map<String, String> p = tl.properties();
        if (tl.state() == TimelineState.BROKEN) {
            LOG.warn("timeline {} stays broken: {}", k, tl.brokenReason());
            return;
        }
        if ("running".equals(p.get(PROP_IMPORT))) {
            tl.setBroken("the base backup import of this timeline was interrupted (the server stopped during it); "
                    + "its data is incomplete. Create a new timeline from the primary with 'timeline create "
                    + tl.tenantId() + " primary ...'");
            LOG.warn("timeline {}: {}", k, tl.brokenReason());
            return;
        }
        Feed feed = new Feed();
        feed.importing = false;
        feed.progress.markDone();
        feed.conninfo = ConnInfo.parse(p.get(PROP_CONNINFO)).redacted();
        feed.slot = p.getOrDefault(PROP_SLOT, DEFAULT_SLOT);
        feeds.put(k, feed);
        String importStart = p.get(PROP_IMPORT_START_LSN);
        long consistentLsn = "done".equals(p.get(PROP_IMPORT)) || p.get(PROP_CONSISTENT_LSN) == null ? Lsn.INVALID
                : Lsn.parse(p.get(PROP_CONSISTENT_LSN));
        startStreaming(tl, feed, importStart == null ? Lsn.INVALID : Lsn.parse(importStart), consistentLsn, () -> { });
        LOG.info("timeline {}: resuming WAL streaming from {} at {}", k, feed.conninfo, Lsn.format(tl.lastRecordLsn()));
    }

    /**
     * The ingest status of a timeline, or null when the timeline has no WAL source.
     *
     * @throws StorageException when the tenant or timeline does not exist
     */
    public IngestStatus status(String tenantId, String timelineId) {
        Timeline tl = tenants.tenant(tenantId).timeline(timelineId);
        Feed feed = feeds.get(key(tenantId, timelineId));
        if (feed == null) {
            return tl.properties().containsKey(PROP_CONNINFO) ? idleStatus(tl) : null;
        }
        return IngestStatusBuilder.of(tl, feed.importing, feed.progress, feed.streamer, feed.conninfo, feed.slot);
    }

    private static IngestStatus idleStatus(Timeline tl) {
        Map<String, String> p = tl.properties();
        boolean broken = tl.state() == TimelineState.BROKEN;
        return new IngestStatus(broken ? "broken" : "idle", ConnInfo.parse(p.get(PROP_CONNINFO)).redacted(),
                p.getOrDefault(PROP_SLOT, DEFAULT_SLOT), 0, tl.lastRecordLsn(), tl.diskConsistentLsn(), 0, 0, -1, -1,
                -1, -1, 0, 0, tl.brokenReason());
    }

    /** Stops every streamer; timelines are flushed when the tenant manager closes. */
    @Override
    public void close() {
        closed = true;
        for (Feed f : feeds.values()) {
            TimelineStreamer s = f.streamer;
            if (s != null) {
                s.close();
            }
        }
    }
}
