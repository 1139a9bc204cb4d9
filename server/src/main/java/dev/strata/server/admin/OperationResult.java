package dev.strata.server.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What a checkpoint, compaction or GC run did.
 *
 * @param result the engine's own summary (what it wrote or removed)
 */
@JsonPropertyOrder({"tenant_id", "timeline_id", "operation", "result", "duration_ms", "last_record_lsn",
        "disk_consistent_lsn", "gc_cutoff_lsn", "layer_count", "l0_count"})
public record OperationResult(
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("timeline_id") String timelineId,
        @JsonProperty("operation") String operation,
        @JsonProperty("result") String result,
        @JsonProperty("duration_ms") long durationMs,
        @JsonProperty("last_record_lsn") String lastRecordLsn,
        @JsonProperty("disk_consistent_lsn") String diskConsistentLsn,
        @JsonProperty("gc_cutoff_lsn") String gcCutoffLsn,
        @JsonProperty("layer_count") int layerCount,
        @JsonProperty("l0_count") int l0Count) {
}
