package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;

/** The SP-GiST vacuum records and PICKSPLIT; all change block 0 (PICKSPLIT: blocks 0..3) from the main data. */
final class SpgVacuumRedo {
    private SpgVacuumRedo() {
    }

    /**
     * VACUUM_LEAF, main data: nDead u16 @0, nPlaceholder @2, nMove @4, nChain @6, stateSrc @8, then u16 arrays
     * toDead[nDead], toPlaceholder[nPlaceholder], moveSrc[nMove], moveDest[nMove], chainSrc[nChain],
     * chainDest[nChain] from @16.
     */
    static void vacuumLeaf(DecodedRecord r, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 16);
        int nDead = Bytes.u16(raw, md);
        int nPlaceholder = Bytes.u16(raw, md + 2);
        int nMove = Bytes.u16(raw, md + 4);
        int nChain = Bytes.u16(raw, md + 6);
        IndexRedoSupport.checkRange(md + 16, 2 * (nDead + nPlaceholder + 2 * nMove + 2 * nChain), md,
                md + r.mainDataLength(), "offset arrays");
        int p = md + 16;
        int[] toDead = IndexRedoSupport.u16Array(raw, p, nDead);
        p += 2 * nDead;
        int[] toPlaceholder = IndexRedoSupport.u16Array(raw, p, nPlaceholder);
        p += 2 * nPlaceholder;
        int[] moveSrc = IndexRedoSupport.u16Array(raw, p, nMove);
        p += 2 * nMove;
        int[] moveDest = IndexRedoSupport.u16Array(raw, p, nMove);
        p += 2 * nMove;
        int[] chainSrc = IndexRedoSupport.u16Array(raw, p, nChain);
        p += 2 * nChain;
        int[] chainDest = IndexRedoSupport.u16Array(raw, p, nChain);

        SpgPage.check(page);
        SpgPage.multiDelete(page, toDead, SpgPage.DEAD, SpgPage.DEAD, IndexPage.INVALID_BLOCK, 0, 0);
        SpgPage.multiDelete(page, toPlaceholder, SpgPage.PLACEHOLDER, SpgPage.PLACEHOLDER, IndexPage.INVALID_BLOCK,
                0, 0);
        int maxoff = IndexPage.maxOffset(page);
        for (int i = 0; i < nMove; i++) {
            if (moveSrc[i] < 1 || moveSrc[i] > maxoff || moveDest[i] < 1 || moveDest[i] > maxoff) {
                throw new RedoException("move " + moveSrc[i] + " -> " + moveDest[i] + " outside 1.." + maxoff);
            }
            int src = IndexPage.itemIdWord(page, moveSrc[i]);
            Bytes.putI32(page, IndexPage.itemIdPos(moveSrc[i]), IndexPage.itemIdWord(page, moveDest[i]));
            Bytes.putI32(page, IndexPage.itemIdPos(moveDest[i]), src);
        }
        SpgPage.multiDelete(page, moveSrc, SpgPage.PLACEHOLDER, SpgPage.PLACEHOLDER, IndexPage.INVALID_BLOCK, 0, 0);
        for (int i = 0; i < nChain; i++) {
            SpgPage.setNextOffset(page, IndexPage.item(page, chainSrc[i]), chainDest[i]);
        }
    }

    /** VACUUM_ROOT, main data: nDelete u16 @0, stateSrc @4, then the offsets u16 @12. */
    static void vacuumRoot(DecodedRecord r, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 12);
        int n = Bytes.u16(raw, md);
        IndexRedoSupport.checkRange(md + 12, 2 * n, md, md + r.mainDataLength(), "offset array");
        SpgPage.check(page);
        IndexPage.pageIndexMultiDelete(page, IndexRedoSupport.u16Array(raw, md + 12, n), n);
    }

    /**
     * VACUUM_REDIRECT, main data: nToPlaceholder u16 @0, firstPlaceholder u16 @2, newestRedirectXid u32 @4, then
     * the offsets u16 @8 of redirects that become placeholders. Placeholders from firstPlaceholder to the end of the
     * page are then removed.
     */
    static void vacuumRedirect(DecodedRecord r, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 8);
        int n = Bytes.u16(raw, md);
        int firstPlaceholder = Bytes.u16(raw, md + 2);
        IndexRedoSupport.checkRange(md + 8, 2 * n, md, md + r.mainDataLength(), "offset array");
        SpgPage.check(page);
        for (int i = 0; i < n; i++) {
            int dt = IndexPage.item(page, Bytes.u16(raw, md + 8 + 2 * i));
            Bytes.putI32(page, dt, Bytes.i32(page, dt) | SpgPage.PLACEHOLDER);
            IndexRedoSupport.setTidInvalid(page, dt + 6);
        }
        SpgPage.setNRedirection(page, (SpgPage.nRedirection(page) - n) & 0xFFFF);
        SpgPage.setNPlaceholder(page, (SpgPage.nPlaceholder(page) + n) & 0xFFFF);
        if (firstPlaceholder != 0) {
            int max = IndexPage.maxOffset(page);
            int count = max - firstPlaceholder + 1;
            if (count < 0) {
                throw new RedoException("first placeholder " + firstPlaceholder + " is past the last item " + max);
            }
            int[] toDelete = new int[count];
            for (int i = 0; i < count; i++) {
                toDelete[i] = firstPlaceholder + i;
            }
            SpgPage.setNPlaceholder(page, (SpgPage.nPlaceholder(page) - count) & 0xFFFF);
            IndexPage.pageIndexMultiDelete(page, toDelete, count);
        }
    }
}
