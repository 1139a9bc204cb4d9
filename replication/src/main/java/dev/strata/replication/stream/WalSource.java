package dev.strata.replication.stream;

import dev.strata.replication.pgwire.ConnInfo;

/**
 * Where a timeline's WAL comes from, as stored in the timeline's properties.
 *
 * @param conninfo   the primary
 * @param slot       the physical replication slot
 * @param systemId   the primary's system identifier at import (a different one means a different cluster)
 * @param pgTimeline the PostgreSQL timeline the import was taken on (Strata follows that one only)
 */
public record WalSource(ConnInfo conninfo, String slot, long systemId, int pgTimeline) {
}
