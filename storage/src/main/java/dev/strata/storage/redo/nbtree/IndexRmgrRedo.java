package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.wal.DecodedRecord;

/**
 * The frame every index access method's redo shares: apply the record to the block, stamp the record's end LSN on
 * the page where the access method's redo does, and turn any failure into an error that names the record (LSN,
 * relation, block, record type), so that bad WAL or a bad base page never escapes as a bare runtime exception.
 */
public abstract class IndexRmgrRedo implements RmgrRedo {
    private final String rmgrName;

    protected IndexRmgrRedo(String rmgrName) {
        this.rmgrName = rmgrName;
    }

    @Override
    public final void redo(DecodedRecord record, int blockId, byte[] page) {
        int info = record.rmgrInfo();
        try {
            if (apply(record, info, blockId, page)) {
                IndexPage.setLsn(page, record.endLsn());
            }
        } catch (RuntimeException e) {
            throw IndexRedoSupport.failure(record, blockId, rmgrName + "/" + recordTypeName(info), e);
        }
    }

    /**
     * Applies the record (its rmgr info bits are {@code info}) to block {@code blockId}; true when the caller is to
     * set the page LSN to the record's end, false when the step already did so or PostgreSQL leaves it.
     */
    protected abstract boolean apply(DecodedRecord record, int info, int blockId, byte[] page);

    /** The record type's name as pg_waldump prints it. */
    protected abstract String recordTypeName(int info);
}
