package dev.strata.bench.wire;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import dev.strata.storage.timeline.TimelineWriter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One tenant, one timeline, one relation of {@code pages} random 8 KB pages held in memory: storage that answers
 * in nanoseconds, so that the GetPage benchmark measures the pg port (framing, pipeline, threads, socket) and not
 * the layer engine.
 */
final class BenchStorage implements TenantManager, Tenant, Timeline, DatadirView {
    static final String TENANT = "b0000000000000000000000000000001";
    static final String TIMELINE = "b0000000000000000000000000000002";
    static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    static final long LSN = 0x1_0000_0000L;

    private final byte[][] pages;

    BenchStorage(int pages, long seed) {
        this.pages = new byte[pages][8192];
        Random r = new Random(seed);
        for (byte[] p : this.pages) {
            r.nextBytes(p);
        }
    }

    int pageCount() {
        return pages.length;
    }

    byte[] page(int blkno) {
        return pages[blkno];
    }

    // TenantManager
    public Tenant createTenant(String tenantId) {
        throw new UnsupportedOperationException("benchmark storage has one fixed tenant");
    }

    public List<Tenant> tenants() {
        return List.of(this);
    }

    public Tenant tenant(String tenantId) {
        return this;
    }

    public void close() {
    }

    // Tenant
    public String tenantId() {
        return TENANT;
    }

    public List<Timeline> timelines() {
        return List.of(this);
    }

    public Timeline timeline(String timelineId) {
        return this;
    }

    public Timeline createTimeline(String timelineId, long startLsn) {
        throw new UnsupportedOperationException("benchmark storage has one fixed timeline");
    }

    public Timeline branch(String parentId, String newId, long lsn) {
        throw new UnsupportedOperationException("benchmark storage does not branch");
    }

    public long physicalSize() {
        return (long) pages.length * 8192;
    }

    // Timeline
    public String timelineId() {
        return TIMELINE;
    }

    public String ancestorTimelineId() {
        return null;
    }

    public long ancestorLsn() {
        return 0;
    }

    public long startLsn() {
        return LSN;
    }

    public long lastRecordLsn() {
        return LSN;
    }

    public long prevRecordLsn() {
        return LSN - 24;
    }

    public long diskConsistentLsn() {
        return LSN;
    }

    public long gcCutoffLsn() {
        return 0;
    }

    public TimelineState state() {
        return TimelineState.ACTIVE;
    }

    public String brokenReason() {
        return null;
    }

    public void setBroken(String reason) {
    }

    public TimelineWriter writer() {
        throw new UnsupportedOperationException("benchmark storage is read-only");
    }

    public byte[] get(Key key, long lsn) {
        throw new KeyNotFoundException("benchmark storage serves pages through its DatadirView only");
    }

    public byte[] getOrNull(Key key, long lsn) {
        return null;
    }

    public List<Key> keys(Key start, Key end, long lsn) {
        return List.of();
    }

    public void waitForLsn(long lsn, Duration timeout) {
    }

    public void checkpoint() {
    }

    public String compact() {
        return "nothing to compact";
    }

    public String gc() {
        return "nothing to collect";
    }

    public long leaseLsn(long lsn, Duration length) {
        return System.currentTimeMillis() + length.toMillis();
    }

    public List<LayerInfo> layers() {
        return List.of();
    }

    public Map<String, String> properties() {
        return Map.of();
    }

    public void setProperty(String name, String value) {
    }

    // DatadirView
    public boolean relExists(RelTag rel, long lsn) {
        return rel.equals(REL);
    }

    public int relSize(RelTag rel, long lsn) {
        if (!rel.equals(REL)) {
            throw new KeyNotFoundException("no relation " + rel);
        }
        return pages.length;
    }

    public byte[] relPage(RelTag rel, int blkno, long lsn) {
        return pages[blkno];
    }

    public List<Database> databases(long lsn) {
        return List.of(new Database(1663, 5));
    }

    public List<RelTag> relations(int spcNode, int dbNode, long lsn) {
        return List.of(REL);
    }

    public long databaseSize(int dbNode, long lsn) {
        return physicalSize();
    }

    public byte[] relmapFile(int spcNode, int dbNode, long lsn) {
        return null;
    }

    public List<Integer> slruSegments(int kind, long lsn) {
        return List.of();
    }

    public int slruSegmentSize(int kind, int segno, long lsn) {
        throw new KeyNotFoundException("no SLRU segments");
    }

    public byte[] slruPage(int kind, int segno, int blkno, long lsn) {
        throw new KeyNotFoundException("no SLRU segments");
    }

    public byte[] slruSegment(int kind, int segno, long lsn) {
        throw new KeyNotFoundException("no SLRU segments");
    }

    public List<Integer> twoPhaseXids(long lsn) {
        return List.of();
    }

    public byte[] twoPhaseFile(int xid, long lsn) {
        throw new KeyNotFoundException("no two-phase files");
    }

    public byte[] controlFile(long lsn) {
        throw new KeyNotFoundException("no control file");
    }

    public byte[] checkpoint(long lsn) {
        throw new KeyNotFoundException("no checkpoint");
    }
}
