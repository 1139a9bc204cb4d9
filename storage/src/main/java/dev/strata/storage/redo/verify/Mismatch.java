package dev.strata.storage.redo.verify;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;

/**
 * A block whose redo result differs from the primary's after-image under PostgreSQL's masks, or whose redo
 * failed.
 *
 * @param firstDifference the first differing byte offset after masking, or -1 when redo failed
 * @param detail          what differed (byte values after masking) or the redo error
 * @param strata          Strata's page, unmasked (null when redo failed)
 * @param primary         the primary's after-image, unmasked
 */
public record Mismatch(long lsn, long endLsn, String recordType, RelTag rel, int blkno, int firstDifference,
                       String detail, byte[] strata, byte[] primary) {
    public String describe() {
        return "LSN " + Lsn.format(lsn) + " " + recordType + " rel " + rel.relPath() + " fork "
                + RelTag.forkName(rel.forkNum()) + " block " + Integer.toUnsignedString(blkno)
                + (firstDifference >= 0 ? ": first differing byte at offset " + firstDifference + " " : ": ") + detail;
    }
}
