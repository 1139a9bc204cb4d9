package dev.strata.storage.wal;

import java.nio.ByteBuffer;

/**
 * Short descriptions of the main data of common record types, for {@code strata waldump}'s {@code desc:} column.
 * They follow the spirit of PostgreSQL's {@code rmgrdesc} functions for the records seen most (heap, btree,
 * checkpoints, running transactions, relation creation) and print nothing for the others. A main data area too
 * short for its type prints nothing rather than failing: the line is still useful.
 *
 * <p>Main data layouts used (little-endian): heap insert {@code u16 offnum, u8 flags}; heap delete
 * {@code u32 xmax, u16 offnum, u8 infobits, u8 flags}; heap update {@code u32 old_xmax, u16 old_offnum,
 * u8 old_infobits, u8 flags, u32 new_xmax, u16 new_offnum}; heap lock {@code u32 xid, u16 offnum, u8 infobits,
 * u8 flags}; prune {@code u32 latestRemovedXid, u16 nredirected, u16 ndead}; vacuum {@code u16 nunused}; freeze
 * {@code u32 cutoff_xid, u16 ntuples}; visible {@code u32 cutoff_xid, u8 flags}; multi-insert {@code u8 flags,
 * pad, u16 ntuples}; btree insert {@code u16 offnum}; checkpoint {@code u64 redo, u32 tli, u32 prev_tli};
 * running xacts {@code i32 xcnt, i32 subxcnt, bool overflow, pad, u32 nextXid, u32 oldestRunningXid,
 * u32 latestCompletedXid}; smgr create and sequence log start with a RelFileNode {@code u32 spc, u32 db, u32 rel}.
 */
public final class RecordDescriptions {
    private RecordDescriptions() {
    }

    /** Appends the description of {@code r}'s main data (possibly nothing). */
    public static void append(DecodedRecord r, AsciiLine out) {
        int info = r.info() & 0xF0;
        byte[] raw = r.raw();
        int m = r.mainDataOffset();
        int len = r.mainDataLength();
        switch (r.rmid()) {
            case Rmgrs.RM_HEAP_ID -> heap(info & 0x70, raw, m, len, out);
            case Rmgrs.RM_HEAP2_ID -> heap2(info & 0x70, raw, m, len, out);
            case Rmgrs.RM_BTREE_ID -> {
                if (info <= 0x20 && len >= 2) {
                    out.append("off ").appendUnsigned(u16(raw, m), 0);
                }
            }
            case Rmgrs.RM_XLOG_ID -> xlog(info, r, out);
            case Rmgrs.RM_STANDBY_ID -> {
                if (info == 0x10 && len >= 24) {
                    out.append("nextXid ").appendUnsigned(Bytes.le32(raw, m + 12), 0)
                            .append(" latestCompletedXid ").appendUnsigned(Bytes.le32(raw, m + 20), 0)
                            .append(" oldestRunningXid ").appendUnsigned(Bytes.le32(raw, m + 16), 0);
                }
            }
            case Rmgrs.RM_SMGR_ID, Rmgrs.RM_SEQ_ID -> {
                if (len >= 12) {
                    out.append("rel ").appendUnsigned(Bytes.le32(raw, m), 0).append('/')
                            .appendUnsigned(Bytes.le32(raw, m + 4), 0).append('/')
                            .appendUnsigned(Bytes.le32(raw, m + 8), 0);
                }
            }
            default -> {
                // no description for this record type
            }
        }
    }

    private static void heap(int op, byte[] raw, int m, int len, AsciiLine out) {
        if ((op == 0x00 || op == 0x50 || op == 0x70) && len >= 2) {
            out.append("off ").appendUnsigned(u16(raw, m), 0);
            if (op == 0x00 && len >= 3) {
                out.append(" flags 0x").appendHex(raw[m + 2] & 0xFF, 2);
            }
        } else if ((op == 0x10 || op == 0x60) && len >= 8) {
            out.append("off ").appendUnsigned(u16(raw, m + 4), 0).append(" xmax ")
                    .appendUnsigned(Bytes.le32(raw, m), 0).append(" flags 0x").appendHex(raw[m + 7] & 0xFF, 2);
        } else if ((op == 0x20 || op == 0x40) && len >= 14) {
            out.append("off ").appendUnsigned(u16(raw, m + 4), 0).append(" xmax ")
                    .appendUnsigned(Bytes.le32(raw, m), 0).append(" flags 0x").appendHex(raw[m + 7] & 0xFF, 2)
                    .append(" ; new off ").appendUnsigned(u16(raw, m + 12), 0).append(" xmax ")
                    .appendUnsigned(Bytes.le32(raw, m + 8), 0);
        }
    }

    private static void heap2(int op, byte[] raw, int m, int len, AsciiLine out) {
        if (op == 0x10 && len >= 8) {
            out.append("latestRemovedXid ").appendUnsigned(Bytes.le32(raw, m), 0).append(" nredirected ")
                    .appendUnsigned(u16(raw, m + 4), 0).append(" ndead ").appendUnsigned(u16(raw, m + 6), 0);
        } else if (op == 0x20 && len >= 2) {
            out.append("nunused ").appendUnsigned(u16(raw, m), 0);
        } else if (op == 0x30 && len >= 6) {
            out.append("cutoff xid ").appendUnsigned(Bytes.le32(raw, m), 0).append(" ntuples ")
                    .appendUnsigned(u16(raw, m + 4), 0);
        } else if (op == 0x40 && len >= 5) {
            out.append("cutoff xid ").appendUnsigned(Bytes.le32(raw, m), 0).append(" flags 0x")
                    .appendHex(raw[m + 4] & 0xFF, 2);
        } else if (op == 0x50 && len >= 4) {
            out.appendUnsigned(u16(raw, m + 2), 0).append(" tuples flags 0x").appendHex(raw[m] & 0xFF, 2);
        }
    }

    private static void xlog(int info, DecodedRecord r, AsciiLine out) {
        ByteBuffer main = r.mainDataLength() >= 16 ? r.mainData() : null;
        if ((info == 0x00 || info == 0x10) && main != null) {
            out.append("redo ").appendLsn(main.getLong(0)).append("; tli ").appendUnsigned(main.getInt(8), 0)
                    .append("; prev tli ").appendUnsigned(main.getInt(12), 0)
                    .append(info == 0x00 ? "; shutdown" : "; online");
        } else if (info == 0x30 && r.mainDataLength() >= 4) {
            out.appendUnsigned(Bytes.le32(r.raw(), r.mainDataOffset()), 0);
        }
    }

    private static int u16(byte[] b, int off) {
        return Bytes.le16(b, off);
    }
}
