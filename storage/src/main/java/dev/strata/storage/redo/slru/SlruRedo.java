package dev.strata.storage.redo.slru;

import dev.strata.storage.key.Key;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RecordTypes;
import dev.strata.storage.wal.DecodedRecord;

import static dev.strata.storage.redo.page.Bytes.i32;

/**
 * PostgreSQL records applied to one SLRU page (keys {@code 01|kind|1|segno|0|blkno}, page = segno * 32 + blkno):
 * <ul>
 *   <li>CLOG ZEROPAGE (rmid 3, 0x00), MultiXact ZERO_OFF_PAGE (6, 0x00) and ZERO_MEM_PAGE (6, 0x10): main data
 *       pageno i32; the page becomes zeros (will-init);</li>
 *   <li>Transaction COMMIT / ABORT / COMMIT_PREPARED / ABORT_PREPARED on a CLOG page: the xids of the
 *       transaction tree that fall on the page get their final status;</li>
 *   <li>MultiXact CREATE_ID (6, 0x20): {mid u32, moff u32, nmembers i32, nmembers x {xid u32, status u32}}; the
 *       offsets entries of the multixact and of the next one (as PostgreSQL 15.16 and later write them) on an
 *       offsets page, the members that fall on a members page.</li>
 * </ul>
 * SLRU pages carry no LSN. In recovery PostgreSQL reads a missing SLRU page as zeros, so a page without a base
 * starts from zeros.
 */
public final class SlruRedo {
    public static final int RM_CLOG_ID = 3;
    public static final int RM_MULTIXACT_ID = 6;
    public static final int CLOG_ZEROPAGE = 0x00;
    public static final int XLOG_MULTIXACT_ZERO_OFF_PAGE = 0x00;
    public static final int XLOG_MULTIXACT_ZERO_MEM_PAGE = 0x10;
    public static final int XLOG_MULTIXACT_CREATE_ID = 0x20;

    private SlruRedo() {
    }

    /** Applies {@code rec} to the SLRU page of {@code key}; {@code page} (null = zeros) may be modified. */
    public static byte[] apply(Key key, DecodedRecord rec, byte[] page) {
        int kind = key.f2();
        int pageno = SlruPages.pageno(key);
        int info = rec.rmgrInfo();
        if (rec.rmid() == RM_CLOG_ID && info == CLOG_ZEROPAGE && kind == Key.SLRU_CLOG
                || rec.rmid() == RM_MULTIXACT_ID && info == XLOG_MULTIXACT_ZERO_OFF_PAGE
                && kind == Key.SLRU_MULTIXACT_OFFSETS
                || rec.rmid() == RM_MULTIXACT_ID && info == XLOG_MULTIXACT_ZERO_MEM_PAGE
                && kind == Key.SLRU_MULTIXACT_MEMBERS) {
            int zeroPage = i32(rec.raw(), rec.mainDataOffset());
            if (zeroPage != pageno) {
                throw new RedoException("zero-page record for page " + zeroPage + " stored on page " + pageno);
            }
            return new byte[SlruPages.BLCKSZ];
        }
        byte[] out = page != null ? page : new byte[SlruPages.BLCKSZ];
        XactStatus xact = XactStatus.of(rec);
        if (xact != null && kind == Key.SLRU_CLOG) {
            setStatus(out, pageno, xact.status(), xact.xid());
            for (int sub : xact.subxids()) {
                setStatus(out, pageno, xact.status(), sub);
            }
            return out;
        }
        if (rec.rmid() == RM_MULTIXACT_ID && info == XLOG_MULTIXACT_CREATE_ID) {
            applyCreateId(rec, kind, pageno, out);
            return out;
        }
        throw new RedoException(RecordTypes.label(rec.rmid(), rec.info()) + " does not apply to an SLRU page of kind "
                + kind);
    }

    private static void setStatus(byte[] page, int pageno, int status, int xid) {
        if (SlruPages.clogPage(xid) == pageno) {
            SlruPages.clogSetStatus(page, xid, status);
        }
    }

    private static void applyCreateId(DecodedRecord rec, int kind, int pageno, byte[] page) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int multi = i32(raw, md);
        int offset = i32(raw, md + 4);
        int n = i32(raw, md + 8);
        if (n < 0 || 12 + 8L * n > rec.mainDataLength()) {
            throw new RedoException("CREATE_ID with " + n + " members in " + rec.mainDataLength() + " bytes");
        }
        if (kind == Key.SLRU_MULTIXACT_OFFSETS) {
            if (SlruPages.offsetsPage(multi) == pageno) {
                SlruPages.setMultiXactOffset(page, multi, offset);
            }
            int next = SlruPages.nextMultiXactId(multi);
            if (SlruPages.offsetsPage(next) == pageno) {
                SlruPages.setMultiXactOffset(page, next, SlruPages.nextMultiXactOffset(offset, n));
            }
        } else if (kind == Key.SLRU_MULTIXACT_MEMBERS) {
            for (int i = 0; i < n; i++) {
                int o = offset + i;
                if (SlruPages.membersPage(o) == pageno) {
                    SlruPages.setMultiXactMember(page, o, i32(raw, md + 12 + 8 * i), i32(raw, md + 16 + 8 * i));
                }
            }
        } else {
            throw new RedoException("MultiXact CREATE_ID stored on a CLOG page");
        }
    }
}
