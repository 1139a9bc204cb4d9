package dev.strata.wire.copy;

import dev.strata.wire.admin.Command;

/**
 * {@code basebackup <tenant> <timeline> [<lsn>|latest] [--gzip] [--replica]} and
 * {@code fullbackup <tenant> <timeline> [<lsn> [<prev_lsn>]]}: a tar in Neon's framing.
 *
 * @param lsn     null for latest
 * @param prevLsn null unless given (fullbackup): must agree with the server's when it knows one
 */
public record BackupCommand(boolean full, String tenantId, String timelineId, Long lsn, Long prevLsn, boolean gzip,
                            boolean replica) implements Command {
}
