package dev.strata.storage.wal;

import dev.strata.storage.pg.RelTag;

/**
 * Formats records in pg_waldump's line format (PostgreSQL 15 {@code XLogDumpDisplayRecord} with
 * {@code XLogRecGetBlockRefInfo} in its short form), so that scripts written for pg_waldump read Strata's output:
 * <pre>
 * rmgr: %-11s len (rec/tot): %6u/%6u, tx: %10u, lsn: %X/%08X, prev %X/%08X, desc: TYPE DESC
 *   then per block reference: ", blkref #N: rel SPC/DB/REL[ fork FORK] blk B" and " FPW" for an image
 *   (" FPW for WAL verification" for an image kept only for consistency checking)
 * </pre>
 * {@code rec} is the record length without page images, {@code tot} the whole record. {@code TYPE} is the
 * {@link Rmgrs#recordType record type name}; {@code DESC} is Strata's own short description of the main data
 * (see {@link RecordDescriptions}), which may differ from pg_waldump's.
 */
public final class WalDumpFormat {
    private static final byte[][] FORKS = {null, AsciiLine.ascii(" fork fsm"), AsciiLine.ascii(" fork vm"),
        AsciiLine.ascii(" fork init")};
    /** "rmgr: NAME" padded to 11 and " len (rec/tot): ", per rmgr id. */
    private static final byte[][] HEADS = new byte[256][];
    private static final byte[] TX = AsciiLine.ascii(", tx: ");
    private static final byte[] LSN = AsciiLine.ascii(", lsn: ");
    private static final byte[] PREV = AsciiLine.ascii(", prev ");
    private static final byte[] DESC = AsciiLine.ascii(", desc: ");
    private static final byte[] BLKREF = AsciiLine.ascii(", blkref #");
    private static final byte[] REL = AsciiLine.ascii(": rel ");
    private static final byte[] BLK = AsciiLine.ascii(" blk ");
    private static final byte[] FPW = AsciiLine.ascii(" FPW");
    private static final byte[] FPW_CHECK = AsciiLine.ascii(" FPW for WAL verification");

    static {
        for (int rmid = 0; rmid < 256; rmid++) {
            String name = Rmgrs.name(rmid);
            if (name != null) {
                HEADS[rmid] = AsciiLine.ascii(String.format("rmgr: %-11s len (rec/tot): ", name));
            }
        }
    }

    private WalDumpFormat() {
    }

    /** Bytes of full-page images in the record (pg_waldump's {@code fpi_len}). */
    public static int fpiLength(DecodedRecord r) {
        int n = 0;
        for (int i = 0; i <= r.maxBlockId(); i++) {
            BlockRef b = r.block(i);
            if (b != null && b.hasImage()) {
                n += b.imageLength();
            }
        }
        return n;
    }

    /** Appends the record's line, without the trailing newline. */
    public static void appendLine(DecodedRecord r, AsciiLine out) {
        int tot = r.totalLength();
        out.append(HEADS[r.rmid()]).appendUnsigned(tot - fpiLength(r), 6).append('/').appendUnsigned(tot, 6)
                .append(TX).appendUnsigned(r.xid(), 10)
                .append(LSN).appendLsn(r.lsn())
                .append(PREV).appendLsn(r.prev())
                .append(DESC).append(Rmgrs.recordTypeAscii(r.rmid(), r.info())).append(' ');
        RecordDescriptions.append(r, out);
        appendBlockRefs(r, out);
    }

    /** The record's line as a string (convenience for tests and tools). */
    public static String line(DecodedRecord r) {
        AsciiLine l = new AsciiLine();
        appendLine(r, l);
        return l.toString();
    }

    private static void appendBlockRefs(DecodedRecord r, AsciiLine out) {
        for (int i = 0; i <= r.maxBlockId(); i++) {
            BlockRef b = r.block(i);
            if (b == null) {
                continue;
            }
            RelTag rel = b.rel();
            out.append(BLKREF).appendUnsigned(i, 0).append(REL).appendUnsigned(rel.spcNode(), 0)
                    .append('/').appendUnsigned(rel.dbNode(), 0).append('/').appendUnsigned(rel.relNode(), 0);
            if (rel.forkNum() != RelTag.MAIN_FORKNUM) {
                out.append(FORKS[rel.forkNum()]);
            }
            out.append(BLK).appendUnsigned(b.blkno(), 0);
            if (b.hasImage()) {
                out.append(b.applyImage() ? FPW : FPW_CHECK);
            }
        }
    }
}
