package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.slru.SlruRedo;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import dev.strata.storage.wal.BlockImages;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.RecordDecoder;

import java.util.List;

/**
 * Strata's WAL redo, in process: a base image plus the values stored above it, oldest first, give the page at the
 * requested LSN. Values are applied as follows.
 * <ul>
 *   <li>IMAGE: replaces the page.</li>
 *   <li>PG_RECORD on a relation block: each block reference of the record naming this relation, fork and block
 *       goes through PostgreSQL's "read block for redo" step, then the rmgr's redo. See
 *       {@link #applyBlock}.</li>
 *   <li>PG_RECORD on an SLRU page: {@link SlruRedo}.</li>
 *   <li>STRATA_RECORD: {@link StrataRecord} effects (visibility-map bits, CLOG, MultiXact).</li>
 * </ul>
 * A PG_RECORD value's version LSN is the record's end LSN ({@code EndRecPtr}), the LSN redo stamps on pages; the
 * record's start LSN is not stored and is reported as 0.
 */
public final class JavaPageRedo implements PageRedo {
    private final RmgrRegistry rmgrs;

    /** Redo with every implemented rmgr, for a primary without data checksums or wal_log_hints. */
    public JavaPageRedo() {
        this(RmgrRegistry.standard(false));
    }

    public JavaPageRedo(RmgrRegistry rmgrs) {
        this.rmgrs = rmgrs;
    }

    @Override
    public byte[] reconstruct(Key key, long lsn, byte[] baseImage, long baseLsn, List<VersionedValue> records) {
        return apply(key, lsn, baseImage == null ? null : baseImage.clone(), records);
    }

    /**
     * The flat form: applies the records oldest first (from the batch's last index down to 0) without building a
     * list or a value object per record. The WAL record decoder keeps the array it decodes and reads it from offset
     * 0 with {@code xl_tot_len} equal to its length, so each PG record's bytes are still copied out of the shared
     * buffer once; what the list form adds on top (two objects per record) is spared.
     */
    @Override
    public byte[] reconstruct(Key key, long lsn, byte[] baseImage, long baseLsn, RecordBatch records) {
        byte[] page = baseImage == null ? null : baseImage.clone();
        for (int i = records.size() - 1; i >= 0; i--) {
            // payload(i) is a copy of the batch's bytes, so an image may become the page as it is
            page = applyValue(key, records.kind(i), records.payload(i), records.lsn(i), page);
        }
        return checkInitialised(key, lsn, page);
    }

    /**
     * {@link #reconstruct} into a caller-owned 8192-byte buffer (a pooled or outgoing buffer), sparing the
     * allocation of a fresh page per read: with a hot base page, allocating the result costs more than replaying a
     * heap insert.
     */
    public void reconstructInto(Key key, long lsn, byte[] baseImage, List<VersionedValue> records, byte[] out) {
        byte[] page = null;
        if (baseImage != null) {
            System.arraycopy(baseImage, 0, out, 0, baseImage.length);
            page = out;
        }
        page = apply(key, lsn, page, records);
        if (page != out) {
            System.arraycopy(page, 0, out, 0, page.length);
        }
    }

    private byte[] apply(Key key, long lsn, byte[] page, List<VersionedValue> records) {
        for (int i = 0, n = records.size(); i < n; i++) {
            VersionedValue vv = records.get(i);
            Value v = vv.value();
            // the caller keeps its values: an image is copied before it becomes the page
            byte[] payload = v.kind() == Value.IMAGE ? v.payload().clone() : v.payload();
            page = applyValue(key, v.kind(), payload, vv.lsn(), page);
        }
        return checkInitialised(key, lsn, page);
    }

    /** Applies one value to the page; an image's payload becomes the page itself. */
    private byte[] applyValue(Key key, int kind, byte[] payload, long at, byte[] page) {
        return switch (kind) {
            case Value.IMAGE -> payload;
            case Value.PG_RECORD -> applyRecord(key, decode(key, payload, at), page);
            case Value.STRATA_RECORD -> applyStrata(key, payload, at, page);
            default -> throw new RedoException("unknown value kind " + kind + " at LSN " + Lsn.format(at)
                    + " for key " + key);
        };
    }

    private static byte[] checkInitialised(Key key, long lsn, byte[] page) {
        if (page == null) {
            throw new RedoException("no base image for key " + key + " and no value up to LSN " + Lsn.format(lsn)
                    + " initialises it");
        }
        return page;
    }

    private static DecodedRecord decode(Key key, byte[] raw, long endLsn) {
        try {
            return RecordDecoder.decode(raw, 0, endLsn);
        } catch (RuntimeException e) {
            throw new RedoException("undecodable record ending at LSN " + Lsn.format(endLsn) + " stored for key "
                    + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies one decoded record to the page of {@code key}.
     *
     * @param page the current page (modified in place where possible), or null when there is none yet
     * @return the page after the record
     */
    public byte[] applyRecord(Key key, DecodedRecord rec, byte[] page) {
        if (key.isSlruBlock()) {
            try {
                return SlruRedo.apply(key, rec, page);
            } catch (RuntimeException e) {
                throw RedoFailure.wrap(rec, null, key.toString(), e);
            }
        }
        if (!key.isRelBlock()) {
            throw new RedoException(RecordTypes.label(rec.rmid(), rec.info()) + " record ending at LSN "
                    + Lsn.format(rec.endLsn()) + " is stored on key " + key + ", which is not a page");
        }
        boolean matched = false;
        for (int id = 0; id <= rec.maxBlockId(); id++) {
            BlockRef b = rec.block(id);
            if (b != null && b.blkno() == key.blockNumber() && b.rel().equals(key.relTag())) {
                page = applyBlock(rec, id, page);
                matched = true;
            }
        }
        if (!matched) {
            throw RedoFailure.wrap(rec, null, key.toString(),
                    new RedoException("the record references no block of this key"));
        }
        return page;
    }

    /**
     * PostgreSQL's {@code XLogReadBufferForRedoExtended} followed by the rmgr's redo, for one block reference:
     * <ol>
     *   <li>an image with BKPIMAGE_APPLY is restored, and the page LSN set to the end LSN unless the page is
     *       new; the few index records that still change a restored block do so
     *       ({@link IndexRmgrs#afterImageRestore});</li>
     *   <li>a WILL_INIT block starts from zeros and is rebuilt by the rmgr;</li>
     *   <li>otherwise the block needs a base (a missing one is an error, unless the rmgr reads this block with
     *       RBM_ZERO_ON_ERROR); an all-zero base is skipped as PostgreSQL skips it ("invalid page"); a record
     *       whose end LSN is not above the page LSN is skipped; else the rmgr applies it.</li>
     * </ol>
     */
    public byte[] applyBlock(DecodedRecord rec, int blockId, byte[] page) {
        BlockRef b = rec.block(blockId);
        try {
            if (b.applyImage()) {
                byte[] restored = BlockImages.restore(rec, b);
                if (!PageOps.pageIsNew(restored)) {
                    PageOps.pageSetLSN(restored, rec.endLsn());
                }
                IndexRmgrs.afterImageRestore(rec, blockId, restored);
                return restored;
            }
            RmgrRedo rmgr = rmgrs.get(rec.rmid());
            if (rmgr == null) {
                throw new UnsupportedRecordException("no redo for resource manager "
                        + RecordTypes.rmgrName(rec.rmid()));
            }
            if (b.willInit()) {
                byte[] fresh = new byte[PageOps.BLCKSZ];
                rmgr.redo(rec, blockId, fresh);
                return fresh;
            }
            boolean zeroOnError = rmgr.readsMissingAsZeros(rec, blockId);
            if (page == null) {
                if (!zeroOnError) {
                    throw new RedoException("missing base page: the block has no earlier image and the record "
                            + "does not initialise it");
                }
                page = new byte[PageOps.BLCKSZ];
            } else if (page.length != PageOps.BLCKSZ) {
                throw new RedoException("base value of " + page.length + " bytes is not a page");
            }
            if (!zeroOnError && PageOps.pageIsNew(page)) {
                return page;
            }
            if (Long.compareUnsigned(rec.endLsn(), PageOps.pageGetLSN(page)) <= 0) {
                return page;
            }
            rmgr.redo(rec, blockId, page);
            return page;
        } catch (RuntimeException e) {
            throw RedoFailure.wrap(rec, b, null, e);
        }
    }

    private static byte[] applyStrata(Key key, byte[] payload, long lsn, byte[] page) {
        try {
            return StrataRecordRedo.apply(key, payload, page);
        } catch (RuntimeException e) {
            throw new RedoException("cannot apply Strata record kind " + (payload.length > 0 ? payload[0] : -1)
                    + " at LSN " + Lsn.format(lsn) + " to key " + key + ": " + e.getMessage(), e);
        }
    }
}
