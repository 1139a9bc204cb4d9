package dev.strata.storage.redo.mask;

import dev.strata.storage.redo.page.PageFormatException;
import dev.strata.storage.redo.page.PageOps;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.strata.storage.redo.page.PageOps.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufMaskTest {
    private static byte[] page() {
        byte[] page = new byte[BLCKSZ];
        pageInit(page, 0);
        pageAddItem(page, new byte[]{1, 2, 3}, 0, 3, 1, true, true);
        pageAddItem(page, new byte[]{4, 5, 6}, 0, 3, 2, true, true);
        itemIdMarkDead(page, 2);
        Arrays.fill(page, pageGetLower(page), pageGetUpper(page), (byte) 0x33);
        pageSetLSN(page, 0x1234_5678_9ABCL);
        pageSetChecksum(page, 0xBEEF);
        pageSetFlags(page, PD_HAS_FREE_LINES | PD_PAGE_FULL | PD_ALL_VISIBLE | 0x8);
        pageSetPruneXid(page, 777);
        return page;
    }

    @Test
    void lsnAndChecksumBecomeZero() {
        byte[] page = page();
        BufMask.maskPageLsnAndChecksum(page);
        assertThat(pageGetLSN(page)).isZero();
        assertThat(pageGetChecksum(page)).isZero();
        assertThat(pageGetPruneXid(page)).isEqualTo(777);
    }

    @Test
    void hintBitsClearThreeFlagsAndPruneXidOnly() {
        byte[] page = page();
        BufMask.maskPageHintBits(page);
        assertThat(pageGetFlags(page)).isEqualTo(0x8);
        assertThat(pageGetPruneXid(page)).isZero();
        assertThat(pageGetLSN(page)).isEqualTo(0x1234_5678_9ABCL);
    }

    @Test
    void unusedSpaceBecomesZeroAndTuplesStay() {
        byte[] page = page();
        BufMask.maskUnusedSpace(page);
        assertThat(Arrays.copyOfRange(page, pageGetLower(page), pageGetUpper(page))).containsOnly((byte) 0);
        assertThat(page[pageGetItem(page, 1)]).isEqualTo((byte) 1);
    }

    @Test
    void unusedSpaceOnAnInsaneHeaderFails() {
        byte[] page = new byte[BLCKSZ];
        assertThatThrownBy(() -> BufMask.maskUnusedSpace(page)).isInstanceOf(PageFormatException.class)
                .hasMessageContaining("invalid page pd_lower 0");
    }

    @Test
    void lpFlagsOfUsedLinePointersBecomeUnusedKeepingOffsetAndLength() {
        byte[] page = page();
        int off = itemIdGetOffset(page, 2);
        BufMask.maskLpFlags(page);
        assertThat(itemIdGetFlags(page, 1)).isEqualTo(LP_UNUSED);
        assertThat(itemIdGetFlags(page, 2)).isEqualTo(LP_UNUSED);
        assertThat(itemIdGetOffset(page, 2)).isEqualTo(off);
        assertThat(itemIdGetLength(page, 2)).isEqualTo(3);
    }

    @Test
    void pageContentZeroesBodyLowerAndUpper() {
        byte[] page = page();
        BufMask.maskPageContent(page);
        assertThat(Arrays.copyOfRange(page, 24, BLCKSZ)).containsOnly((byte) 0);
        assertThat(pageGetLower(page)).isZero();
        assertThat(pageGetUpper(page)).isZero();
        assertThat(PageOps.pageGetSpecial(page)).isEqualTo(8192);
    }
}
