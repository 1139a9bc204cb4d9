package dev.strata.storage.redo.page;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static dev.strata.storage.redo.page.PageOps.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageOpsTest {
    private static byte[] item(int len, int fill) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static byte[] heapPage() {
        byte[] page = new byte[BLCKSZ];
        pageInit(page, 0);
        return page;
    }

    @Test
    void pageInitWritesTheHeaderPostgresWrites() {
        byte[] page = new byte[BLCKSZ];
        Arrays.fill(page, (byte) 0x55);
        pageInit(page, 16);
        assertThat(HexFormat.of().formatHex(page, 0, 24))
                .isEqualTo("0000000000000000" + "0000" + "0000" + "1800" + "f01f" + "f01f" + "0420" + "00000000");
        assertThat(Arrays.copyOfRange(page, 24, BLCKSZ)).containsOnly((byte) 0);
        assertThat(pageGetPageSizeVersion(page)).isEqualTo(0x2004);
        pageInit(page, 5);
        assertThat(pageGetSpecial(page)).as("special size is MAXALIGNed").isEqualTo(8184);
    }

    @Test
    void pageHeaderFieldsDecodeAsOnDisk() {
        byte[] page = new byte[BLCKSZ];
        byte[] hdr = HexFormat.of().parseHex("00000000a0e98801000000002800601f00200420d8020000");
        System.arraycopy(hdr, 0, page, 0, hdr.length);
        assertThat(pageGetLSN(page)).isEqualTo(0x188E9A0L);
        assertThat(pageGetLower(page)).isEqualTo(40);
        assertThat(pageGetUpper(page)).isEqualTo(8032);
        assertThat(pageGetSpecial(page)).isEqualTo(8192);
        assertThat(pageGetPruneXid(page)).isEqualTo(728);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(4);
        pageSetLSN(page, 0x1_0000_0002L);
        assertThat(HexFormat.of().formatHex(page, 0, 8)).isEqualTo("0100000002000000");
    }

    @Test
    void itemIdBitsDecodeAsOnDisk() {
        int w = Bytes.i32(HexFormat.of().parseHex("d89f4400"), 0);
        assertThat(lpOff(w)).isEqualTo(8152);
        assertThat(lpFlags(w)).isEqualTo(LP_NORMAL);
        assertThat(lpLen(w)).isEqualTo(34);
        assertThat(itemId(8152, LP_NORMAL, 34)).isEqualTo(w);
    }

    @Test
    void addItemLeavesPaddingBytesUntouchedAndStoresTheUnalignedLength() {
        byte[] page = heapPage();
        Arrays.fill(page, 8100, 8192, (byte) 0x77);
        assertThat(pageAddItemExtended(page, item(30, 1), 0, 30, 1, PAI_OVERWRITE | PAI_IS_HEAP)).isEqualTo(1);
        assertThat(itemIdGetOffset(page, 1)).isEqualTo(8160);
        assertThat(itemIdGetLength(page, 1)).isEqualTo(30);
        assertThat(pageGetUpper(page)).isEqualTo(8160);
        assertThat(pageGetLower(page)).isEqualTo(28);
        assertThat(page[8189]).isEqualTo((byte) 1);
        assertThat(page[8190]).as("padding keeps stale bytes").isEqualTo((byte) 0x77);
    }

    @Test
    void overwriteAddRefusesAUsedSlotAndOffsetsPastTheEnd() {
        byte[] page = heapPage();
        assertThat(pageAddItem(page, item(8, 1), 0, 8, 1, true, true)).isEqualTo(1);
        assertThat(pageAddItem(page, item(8, 2), 0, 8, 1, true, true)).isEqualTo(INVALID_OFFSET_NUMBER);
        assertThat(pageAddItem(page, item(8, 2), 0, 8, 3, true, true)).isEqualTo(INVALID_OFFSET_NUMBER);
        itemIdSetUnused(page, 1);
        assertThat(pageAddItem(page, item(8, 3), 0, 8, 1, true, true)).as("reuses an unused slot").isEqualTo(1);
        assertThat(pageGetLower(page)).as("no new line pointer for a reused slot").isEqualTo(28);
    }

    @Test
    void heapAddRefusesOffsetsAboveMaxHeapTuplesPerPage() {
        byte[] page = heapPage();
        for (int i = 1; i <= MAX_HEAP_TUPLES_PER_PAGE; i++) {
            assertThat(pageAddItem(page, item(1, i), 0, 1, i, true, true)).isEqualTo(i);
        }
        assertThat(pageAddItem(page, item(1, 0), 0, 1, 292, true, true)).isEqualTo(INVALID_OFFSET_NUMBER);
        assertThat(pageGetHeapFreeSpace(page)).isZero();
        assertThat(pageGetFreeSpace(page)).isPositive();
    }

    @Test
    void indexAddShufflesLinePointersUp() {
        byte[] page = new byte[BLCKSZ];
        pageInit(page, 16);
        pageAddItem(page, item(16, 1), 0, 16, 1, false, false);
        pageAddItem(page, item(16, 2), 0, 16, 2, false, false);
        assertThat(pageAddItem(page, item(24, 3), 0, 24, 1, false, false)).isEqualTo(1);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(3);
        assertThat(page[pageGetItem(page, 1)]).isEqualTo((byte) 3);
        assertThat(page[pageGetItem(page, 2)]).isEqualTo((byte) 1);
        assertThat(page[pageGetItem(page, 3)]).isEqualTo((byte) 2);
        assertThat(pageGetUpper(page)).isEqualTo(8176 - 56);
    }

    @Test
    void addWithoutOffsetTakesTheFirstFreeSlotAndResetsAWrongHint() {
        byte[] page = heapPage();
        pageAddItem(page, item(8, 1), 0, 8, 1, true, true);
        pageAddItem(page, item(8, 2), 0, 8, 2, true, true);
        pageSetHasFreeLinePointers(page);
        assertThat(pageAddItem(page, item(8, 3), 0, 8, 0, false, true)).isEqualTo(3);
        assertThat(pageHasFreeLinePointers(page)).isFalse();
        itemIdSetUnused(page, 2);
        pageSetHasFreeLinePointers(page);
        assertThat(pageAddItem(page, item(8, 4), 0, 8, 0, false, true)).isEqualTo(2);
    }

    @Test
    void addOnCorruptPointersFails() {
        byte[] page = heapPage();
        pageSetLower(page, 9000);
        assertThatThrownBy(() -> pageAddItem(page, item(8, 1), 0, 8, 1, true, true))
                .isInstanceOf(PageFormatException.class).hasMessageContaining("lower = 9000");
    }

    /** Three 16-byte index tuples at 8160 (1), 8144 (2), 8128 (3) on a page with 16 bytes of special space. */
    private static byte[] indexPage() {
        byte[] page = new byte[BLCKSZ];
        pageInit(page, 16);
        for (int i = 1; i <= 3; i++) {
            pageAddItem(page, item(16, i), 0, 16, i, false, false);
        }
        return page;
    }

    @Test
    void tupleDeleteClosesTheGapAndLeavesStaleBytes() {
        byte[] page = indexPage();
        pageIndexTupleDelete(page, 2);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(2);
        assertThat(pageGetUpper(page)).isEqualTo(8144);
        assertThat(itemIdGetOffset(page, 1)).isEqualTo(8160);
        assertThat(itemIdGetOffset(page, 2)).isEqualTo(8144);
        assertThat(page[8144]).isEqualTo((byte) 3);
        assertThat(page[8128]).as("vacated tuple bytes stay").isEqualTo((byte) 3);
        assertThat(Bytes.i32(page, 32)).as("old last line pointer slot stays").isEqualTo(itemId(8128, 1, 16));
    }

    @Test
    void tupleDeleteOfAnInvalidOffsetFails() {
        byte[] page = indexPage();
        assertThatThrownBy(() -> pageIndexTupleDelete(page, 4)).isInstanceOf(PageFormatException.class)
                .hasMessageContaining("invalid index offnum: 4");
    }

    @Test
    void tupleDeleteNoCompactLeavesAnUnusedLinePointerExceptForTheLast() {
        byte[] page = indexPage();
        pageIndexTupleDeleteNoCompact(page, 2);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(3);
        assertThat(pageGetItemId(page, 2)).isZero();
        assertThat(itemIdGetOffset(page, 3)).isEqualTo(8144);
        pageIndexTupleDeleteNoCompact(page, 3);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(2);
        assertThat(pageGetUpper(page)).isEqualTo(8160);
    }

    @Test
    void multiDeleteOfMoreThanTwoCompactsInNewLinePointerOrder() {
        byte[] page = new byte[BLCKSZ];
        pageInit(page, 16);
        for (int i = 1; i <= 6; i++) {
            // insert each new item at offset 1, so physical order is the reverse of line pointer order
            pageAddItem(page, item(8 * i, i), 0, 8 * i, 1, false, false);
        }
        pageIndexMultiDelete(page, new int[]{1, 3, 5}, 3);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(3);
        // survivors were items 5, 3, 1 (sizes 40, 24, 8), placed downwards from special in line pointer order
        assertThat(itemIdGetOffset(page, 1)).isEqualTo(8176 - 40);
        assertThat(itemIdGetOffset(page, 2)).isEqualTo(8176 - 64);
        assertThat(itemIdGetOffset(page, 3)).isEqualTo(8176 - 72);
        assertThat(page[8176 - 40]).isEqualTo((byte) 5);
        assertThat(page[8176 - 64]).isEqualTo((byte) 3);
        assertThat(page[8176 - 72]).isEqualTo((byte) 1);
        assertThat(pageGetUpper(page)).isEqualTo(8176 - 72);
    }

    @Test
    void multiDeleteOfEverythingResetsUpper() {
        byte[] page = indexPage();
        pageIndexMultiDelete(page, new int[]{1, 2, 3}, 3);
        assertThat(pageGetLower(page)).isEqualTo(24);
        assertThat(pageGetUpper(page)).isEqualTo(8176);
    }

    @Test
    void multiDeleteWithOffsetsNotOnThePageFails() {
        byte[] page = indexPage();
        assertThatThrownBy(() -> pageIndexMultiDelete(page, new int[]{1, 2, 7}, 3))
                .isInstanceOf(PageFormatException.class).hasMessageContaining("incorrect index offsets");
    }

    @Test
    void overwriteShiftsOnlyDataBelowTheItemAndKeepsFlags() {
        byte[] page = indexPage();
        itemIdMarkDead(page, 2);
        pageIndexTupleOverwrite(page, 2, item(32, 9), 0, 32);
        assertThat(itemIdGetFlags(page, 2)).isEqualTo(LP_DEAD);
        assertThat(itemIdGetOffset(page, 2)).isEqualTo(8128);
        assertThat(itemIdGetLength(page, 2)).isEqualTo(32);
        assertThat(itemIdGetOffset(page, 3)).isEqualTo(8112);
        assertThat(itemIdGetOffset(page, 1)).isEqualTo(8160);
        assertThat(pageGetUpper(page)).isEqualTo(8112);
        assertThat(page[8112]).isEqualTo((byte) 3);
        assertThat(page[8159]).isEqualTo((byte) 9);
        assertThat(pageIndexTupleOverwrite(page, 1, item(8100, 1), 0, 8100)).isFalse();
    }

    @Test
    void repairFragmentationCompactsTruncatesTrailingUnusedAndSetsTheHint() {
        byte[] page = heapPage();
        for (int i = 1; i <= 5; i++) {
            pageAddItem(page, item(10, i), 0, 10, i, true, true);
        }
        itemIdSetDead(page, 1);
        itemIdSetRedirect(page, 2, 3);
        pageSetItemId(page, 4, itemId(0, LP_UNUSED, 0));
        pageSetItemId(page, 5, itemId(0, LP_UNUSED, 0));
        pageRepairFragmentation(page);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(3);
        assertThat(itemIdGetOffset(page, 3)).isEqualTo(8176);
        assertThat(page[8176]).isEqualTo((byte) 3);
        assertThat(page[8186]).as("the padding moves with the tuple").isEqualTo((byte) 0);
        assertThat(pageGetUpper(page)).isEqualTo(8176);
        assertThat(page[8160]).as("bytes above the old upper are not cleared").isEqualTo((byte) 2);
        assertThat(pageHasFreeLinePointers(page)).isFalse();

        byte[] other = heapPage();
        for (int i = 1; i <= 3; i++) {
            pageAddItem(other, item(10, i), 0, 10, i, true, true);
        }
        itemIdSetUnused(other, 1);
        pageRepairFragmentation(other);
        assertThat(pageHasFreeLinePointers(other)).isTrue();
        assertThat(pageGetMaxOffsetNumber(other)).isEqualTo(3);
        assertThat(itemIdGetOffset(other, 2)).isEqualTo(8176);
        assertThat(itemIdGetOffset(other, 3)).isEqualTo(8160);
    }

    @Test
    void repairFragmentationOfAllUnusedRemovesEveryLinePointer() {
        byte[] page = heapPage();
        pageAddItem(page, item(10, 1), 0, 10, 1, true, true);
        itemIdSetUnused(page, 1);
        pageRepairFragmentation(page);
        assertThat(pageGetMaxOffsetNumber(page)).isZero();
        assertThat(pageGetUpper(page)).isEqualTo(8192);
    }

    @Test
    void truncateLinePointerArrayAlwaysKeepsTheFirst() {
        byte[] page = heapPage();
        for (int i = 1; i <= 4; i++) {
            pageAddItem(page, item(10, i), 0, 10, i, true, true);
            itemIdSetUnused(page, i);
        }
        pageTruncateLinePointerArray(page);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(1);
        assertThat(pageHasFreeLinePointers(page)).isTrue();

        byte[] other = heapPage();
        for (int i = 1; i <= 4; i++) {
            pageAddItem(other, item(10, i), 0, 10, i, true, true);
        }
        itemIdSetUnused(other, 4);
        pageSetHasFreeLinePointers(other);
        pageTruncateLinePointerArray(other);
        assertThat(pageGetMaxOffsetNumber(other)).isEqualTo(3);
        assertThat(pageHasFreeLinePointers(other)).isFalse();
    }

    @Test
    void freeSpaceFollowsPostgres() {
        byte[] page = heapPage();
        assertThat(pageGetExactFreeSpace(page)).isEqualTo(8168);
        assertThat(pageGetFreeSpace(page)).isEqualTo(8164);
        pageSetLower(page, 8190);
        pageSetUpper(page, 8192);
        assertThat(pageGetFreeSpace(page)).isZero();
    }

    @Test
    void pruneXidKeepsTheOldestModulo2To32() {
        byte[] page = heapPage();
        pageSetPrunable(page, 100);
        pageSetPrunable(page, 200);
        assertThat(pageGetPruneXid(page)).isEqualTo(100);
        pageSetPrunable(page, 50);
        assertThat(pageGetPruneXid(page)).isEqualTo(50);
        pageSetPruneXid(page, 5);
        pageSetPrunable(page, 0xFFFF_FFF0);
        assertThat(pageGetPruneXid(page)).as("wrapped-around xid precedes 5").isEqualTo(0xFFFF_FFF0);
    }

    @Test
    void tempPageCopiesOnlyTheSpecialSpace() {
        byte[] page = indexPage();
        Arrays.fill(page, 8176, 8192, (byte) 0x42);
        pageSetFlags(page, PD_PAGE_FULL);
        byte[] temp = pageGetTempPageCopySpecial(page);
        assertThat(pageGetMaxOffsetNumber(temp)).isZero();
        assertThat(pageGetFlags(temp)).isZero();
        assertThat(temp[8176]).isEqualTo((byte) 0x42);
        pageRestoreTempPage(temp, page);
        assertThat(page).isEqualTo(temp);
    }
}
