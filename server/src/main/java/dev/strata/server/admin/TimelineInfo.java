package dev.strata.server.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A timeline as {@code GET /v1/tenant/{t}/timeline/{tl}} shows it: exactly the fields of DESIGN A.6, in that order.
 * LSNs are {@code X/Y} strings; sizes are bytes.
 *
 * @param ancestorTimelineId  null for a root timeline
 * @param ancestorLsn         the branch point in the ancestor, null for a root timeline
 * @param remoteConsistentLsn what is safe in remote storage; {@code 0/0} as this server keeps layers on local disk
 *                            only
 * @param layerCount          every layer of the layer map, the in-memory ones included
 * @param l0Count             L0 delta files waiting for compaction
 * @param walSource           the primary's conninfo (password removed), null when the timeline has none
 * @param ingestLagBytes      bytes of WAL the primary has flushed and Strata has not yet committed; 0 without a
 *                            WAL source
 * @param state               LOADING, ACTIVE, BROKEN or STOPPING
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"tenant_id", "timeline_id", "ancestor_timeline_id", "ancestor_lsn", "last_record_lsn",
        "prev_record_lsn", "disk_consistent_lsn", "remote_consistent_lsn", "gc_cutoff_lsn", "current_physical_size",
        "layer_count", "l0_count", "wal_source", "ingest_lag_bytes", "state"})
public record TimelineInfo(
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("timeline_id") String timelineId,
        @JsonProperty("ancestor_timeline_id") String ancestorTimelineId,
        @JsonProperty("ancestor_lsn") String ancestorLsn,
        @JsonProperty("last_record_lsn") String lastRecordLsn,
        @JsonProperty("prev_record_lsn") String prevRecordLsn,
        @JsonProperty("disk_consistent_lsn") String diskConsistentLsn,
        @JsonProperty("remote_consistent_lsn") String remoteConsistentLsn,
        @JsonProperty("gc_cutoff_lsn") String gcCutoffLsn,
        @JsonProperty("current_physical_size") long currentPhysicalSize,
        @JsonProperty("layer_count") int layerCount,
        @JsonProperty("l0_count") int l0Count,
        @JsonProperty("wal_source") String walSource,
        @JsonProperty("ingest_lag_bytes") long ingestLagBytes,
        @JsonProperty("state") String state) {
}
