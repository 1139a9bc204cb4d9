package dev.strata.wire.admin;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.ServerBackend;
import dev.strata.wire.protocol.Column;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one timeline as DESIGN A.6 lists them, shared by {@code timeline detail} on the pg port and
 * {@code GET /v1/tenant/{t}/timeline/{tl}} on the HTTP API. LSNs are {@code X/Y} text; sizes are bytes.
 */
public record TimelineDetail(String tenantId, String timelineId, String ancestorTimelineId, String ancestorLsn,
                             String lastRecordLsn, String prevRecordLsn, String diskConsistentLsn,
                             String remoteConsistentLsn, String gcCutoffLsn, long currentPhysicalSize,
                             int layerCount, int l0Count, String walSource, Long ingestLagBytes, String state) {
    public static final List<Column> COLUMNS = List.of(Column.text("tenant_id"), Column.text("timeline_id"),
            Column.text("ancestor_timeline_id"), Column.text("ancestor_lsn"), Column.text("last_record_lsn"),
            Column.text("prev_record_lsn"), Column.text("disk_consistent_lsn"), Column.text("remote_consistent_lsn"),
            Column.text("gc_cutoff_lsn"), Column.int8("current_physical_size"), Column.int4("layer_count"),
            Column.int4("l0_count"), Column.text("wal_source"), Column.int8("ingest_lag_bytes"),
            Column.text("state"));

    public static TimelineDetail of(Timeline tl, ServerBackend backend) {
        List<LayerInfo> layers = tl.layers();
        int l0 = (int) layers.stream().filter(l -> "delta-l0".equals(l.kind())).count();
        ServerBackend.IngestStatus ingest = backend.ingestStatus(tl);
        boolean root = tl.ancestorTimelineId() == null;
        return new TimelineDetail(tl.tenantId(), tl.timelineId(), tl.ancestorTimelineId(),
                root ? null : Lsn.format(tl.ancestorLsn()), Lsn.format(tl.lastRecordLsn()),
                Lsn.format(tl.prevRecordLsn()), Lsn.format(tl.diskConsistentLsn()),
                Lsn.format(ingest.remoteConsistentLsn()), Lsn.format(tl.gcCutoffLsn()), tl.physicalSize(),
                layers.size(), l0, ingest.walSource(), ingest.ingestLagBytes() < 0 ? null : ingest.ingestLagBytes(),
                tl.state().name().toLowerCase());
    }

    /** The cells in {@link #COLUMNS} order. */
    public Object[] row() {
        return new Object[]{tenantId, timelineId, ancestorTimelineId, ancestorLsn, lastRecordLsn, prevRecordLsn,
                diskConsistentLsn, remoteConsistentLsn, gcCutoffLsn, currentPhysicalSize, layerCount, l0Count,
                walSource, ingestLagBytes, state};
    }

    /** Field name to value in column order (for JSON). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Object[] row = row();
        for (int i = 0; i < COLUMNS.size(); i++) {
            m.put(COLUMNS.get(i).name(), row[i]);
        }
        return m;
    }
}
