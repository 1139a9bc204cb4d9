package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.UnsupportedRecordException;
import dev.strata.storage.redo.mask.BufMask;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.redo.nbtree.IndexRmgrRedo;
import dev.strata.storage.wal.DecodedRecord;

/**
 * SP-GiST (resource manager 16) redo and {@code spg_mask}, after PostgreSQL 15's {@code spgxlog.c}, one block at a
 * time. Layouts: {@link SpgPage} for pages and tuples, {@link SpgInsertRedo} and {@link SpgVacuumRedo} for records.
 * <pre>
 * 0x10 ADD_LEAF  0x20 MOVE_LEAFS  0x30 ADD_NODE  0x40 SPLIT_TUPLE  0x50 PICKSPLIT
 * 0x60 VACUUM_LEAF  0x70 VACUUM_ROOT  0x80 VACUUM_REDIRECT
 * </pre>
 */
public final class SpgRedo extends IndexRmgrRedo {
    public static final int RM_SPGIST_ID = 16;

    public static final int ADD_LEAF = 0x10;
    public static final int MOVE_LEAFS = 0x20;
    public static final int ADD_NODE = 0x30;
    public static final int SPLIT_TUPLE = 0x40;
    public static final int PICKSPLIT = 0x50;
    public static final int VACUUM_LEAF = 0x60;
    public static final int VACUUM_ROOT = 0x70;
    public static final int VACUUM_REDIRECT = 0x80;

    private static final String[] NAMES = {"UNKNOWN_0x00", "ADD_LEAF", "MOVE_LEAFS", "ADD_NODE", "SPLIT_TUPLE",
        "PICKSPLIT", "VACUUM_LEAF", "VACUUM_ROOT", "VACUUM_REDIRECT"};

    /** The record type's name as pg_waldump prints it. */
    public static String typeName(int info) {
        int i = (info & 0xF0) >>> 4;
        return i < NAMES.length ? NAMES[i] : "UNKNOWN_0x" + Integer.toHexString(info & 0xF0);
    }

    public SpgRedo() {
        super("SPGist");
    }

    @Override
    protected String recordTypeName(int info) {
        return typeName(info);
    }

    @Override
    protected boolean apply(DecodedRecord r, int info, int blockId, byte[] page) {
        switch (info) {
            case ADD_LEAF -> SpgInsertRedo.addLeaf(r, blockId, page);
            case MOVE_LEAFS -> SpgInsertRedo.moveLeafs(r, blockId, page);
            case ADD_NODE -> SpgInsertRedo.addNode(r, blockId, page);
            case SPLIT_TUPLE -> SpgInsertRedo.splitTuple(r, blockId, page);
            case PICKSPLIT -> SpgPickSplitRedo.apply(r, blockId, page);
            case VACUUM_LEAF -> {
                IndexRedoSupport.only(blockId, 0);
                SpgVacuumRedo.vacuumLeaf(r, page);
            }
            case VACUUM_ROOT -> {
                IndexRedoSupport.only(blockId, 0);
                SpgVacuumRedo.vacuumRoot(r, page);
            }
            case VACUUM_REDIRECT -> {
                IndexRedoSupport.only(blockId, 0);
                SpgVacuumRedo.vacuumRedirect(r, page);
            }
            default -> throw new UnsupportedRecordException("unknown spgist op code 0x"
                    + Integer.toHexString(info));
        }
        return true;
    }

    /** {@code spg_mask}: LSN and checksum, hint bits, and the unused space when pd_lower looks set. */
    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskPageHintBits(page);
        if (IndexPage.lower(page) >= PageOps.SIZE_OF_PAGE_HEADER) {
            BufMask.maskUnusedSpace(page);
        }
    }
}
