package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.slru.SlruPages;
import dev.strata.storage.redo.vm.VisibilityMap;

import java.nio.ByteBuffer;

/**
 * Applies a {@link StrataRecord} to the page of the key it is stored under: CLEAR_VM_FLAGS and TRUNCATE_VM on a
 * visibility-map block, CLOG_SET_STATUS on a CLOG page, MULTIXACT_OFFSET / MULTIXACT_MEMBERS on MultiXact pages.
 * A missing base is what PostgreSQL's replay would read: a PageInit'ed VM page ({@code vm_readbuf} extends the
 * map with initialised pages), a zeroed SLRU page.
 */
final class StrataRecordRedo {
    private StrataRecordRedo() {
    }

    static byte[] apply(Key key, byte[] payload, byte[] page) {
        int kind = StrataRecord.kind(payload);
        ByteBuffer b = StrataRecord.body(payload);
        byte[] out = page != null ? page : new byte[SlruPages.BLCKSZ];
        switch (kind) {
            case StrataRecord.CLEAR_VM_FLAGS -> {
                int vmBlock = vmBlock(key, "CLEAR_VM_FLAGS");
                int newBlk = b.getInt();
                int oldBlk = b.getInt();
                int flags = b.get() & 0xFF;
                VisibilityMap.initIfNew(out);
                for (int heapBlk : new int[]{newBlk, oldBlk}) {
                    if (heapBlk != -1 && VisibilityMap.mapBlock(heapBlk) == vmBlock) {
                        VisibilityMap.clear(out, heapBlk, flags);
                    }
                }
            }
            case StrataRecord.TRUNCATE_VM -> VisibilityMap.truncate(out, vmBlock(key, "TRUNCATE_VM"), b.getInt());
            case StrataRecord.CLOG_SET_STATUS -> clogSetStatus(key, b, out);
            case StrataRecord.MULTIXACT_OFFSET -> {
                int pageno = slruPage(key, Key.SLRU_MULTIXACT_OFFSETS, "MULTIXACT_OFFSET");
                int multi = b.getInt();
                int offset = b.getInt();
                if (SlruPages.offsetsPage(multi) == pageno) {
                    SlruPages.setMultiXactOffset(out, multi, offset);
                }
            }
            case StrataRecord.MULTIXACT_MEMBERS -> {
                int pageno = slruPage(key, Key.SLRU_MULTIXACT_MEMBERS, "MULTIXACT_MEMBERS");
                int start = b.getInt();
                int count = b.getInt();
                for (int i = 0; i < count; i++) {
                    int xid = b.getInt();
                    int status = b.getInt();
                    if (SlruPages.membersPage(start + i) == pageno) {
                        SlruPages.setMultiXactMember(out, start + i, xid, status);
                    }
                }
            }
            default -> throw new RedoException("unknown Strata record kind " + kind);
        }
        return out;
    }

    private static void clogSetStatus(Key key, ByteBuffer b, byte[] page) {
        int pageno = slruPage(key, Key.SLRU_CLOG, "CLOG_SET_STATUS");
        int status = b.get() & 0xFF;
        if (status < SlruPages.TRANSACTION_STATUS_COMMITTED || status > SlruPages.TRANSACTION_STATUS_SUB_COMMITTED) {
            throw new RedoException("CLOG_SET_STATUS with status " + status + " (expected 1, 2 or 3)");
        }
        b.getLong();
        int count = b.getInt();
        for (int i = 0; i < count; i++) {
            int xid = b.getInt();
            if (SlruPages.clogPage(xid) == pageno) {
                SlruPages.clogSetStatus(page, xid, status);
            }
        }
    }

    private static int vmBlock(Key key, String what) {
        if (!key.isRelBlock() || key.f5() != RelTag.VISIBILITYMAP_FORKNUM) {
            throw new RedoException(what + " stored on key " + key + ", which is not a visibility-map block");
        }
        return key.blockNumber();
    }

    private static int slruPage(Key key, int kind, String what) {
        if (!key.isSlruBlock() || key.f2() != kind) {
            throw new RedoException(what + " stored on key " + key + ", which is not a page of SLRU kind " + kind);
        }
        return SlruPages.pageno(key);
    }
}
