package dev.strata.storage.redo;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

/**
 * Gives a redo error its context: the record's type and LSN, and the relation, fork and block (or key) it was
 * applied to. Errors already carrying context pass through unchanged.
 */
final class RedoFailure extends RedoException {
    private RedoFailure(String message, Throwable cause) {
        super(message, cause);
    }

    static RedoException wrap(DecodedRecord rec, BlockRef blk, String key, RuntimeException e) {
        if (e instanceof RedoFailure f) {
            return f;
        }
        if (e instanceof ContextualUnsupported u) {
            return u;
        }
        String where = blk != null
                ? "relation " + blk.rel().relPath() + " fork " + RelTag.forkName(blk.rel().forkNum()) + " block "
                + Integer.toUnsignedString(blk.blkno()) + " (block id " + blk.id() + ")"
                : "key " + key;
        String lsn = rec.lsn() != 0 ? "LSN " + Lsn.format(rec.lsn()) + " (end " + Lsn.format(rec.endLsn()) + ")"
                : "end LSN " + Lsn.format(rec.endLsn());
        String message = "cannot apply " + RecordTypes.label(rec.rmid(), rec.info()) + " record at " + lsn + " to "
                + where + ": " + (e.getMessage() != null ? e.getMessage() : e.toString());
        if (e instanceof UnsupportedRecordException) {
            return new ContextualUnsupported(message, e);
        }
        return new RedoFailure(message, e);
    }

    /** An unsupported record, with context. */
    static final class ContextualUnsupported extends UnsupportedRecordException {
        ContextualUnsupported(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
