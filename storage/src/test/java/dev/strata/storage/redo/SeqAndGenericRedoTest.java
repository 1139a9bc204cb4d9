package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.strata.storage.redo.XLogRecordBuilder.bytes;
import static dev.strata.storage.redo.XLogRecordBuilder.le;
import static dev.strata.storage.redo.XLogRecordBuilder.record;
import static dev.strata.storage.redo.page.PageOps.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeqAndGenericRedoTest {
    private static final RelTag REL = new RelTag(1663, 5, 16500, 0);
    private final JavaPageRedo redo = new JavaPageRedo();

    @Test
    void sequenceLogRebuildsThePageWithMagicAndOneTuple() {
        byte[] tuple = new byte[41];
        Arrays.fill(tuple, (byte) 7);
        byte[] raw = record(15, 0x00).main(bytes(le(64).putInt(1663).putInt(5).putInt(16500).put(tuple)))
                .willInitBlock(0, REL, 0, new byte[0]).raw();
        byte[] page = redo.reconstruct(Key.relBlock(REL, 0), 0x100, null, 0,
                List.of(new VersionedValue(0x100, Value.pgRecord(raw, true))));
        assertThat(pageGetSpecial(page)).isEqualTo(8184);
        assertThat(Bytes.i32(page, 8184)).isEqualTo(0x1717);
        assertThat(itemIdGetLength(page, 1)).isEqualTo(41);
        assertThat(itemIdGetOffset(page, 1)).isEqualTo(8184 - 48);
        assertThat(pageGetLSN(page)).isEqualTo(0x100);
    }

    @Test
    void genericDeltaAppliesFragmentsThenZeroesTheHole() {
        byte[] base = new byte[8192];
        pageInit(base, 0);
        Arrays.fill(base, 24, 8192, (byte) 0x11);
        pageSetLSN(base, 0x10);
        byte[] delta = bytes(le(32).putShort((short) 12).putShort((short) 4).putShort((short) 40)
                .putShort((short) 8000).putShort((short) 8000).putShort((short) 2).put((byte) 9).put((byte) 9));
        byte[] raw = record(20, 0).block(0, REL, 3, delta).raw();
        byte[] page = redo.reconstruct(Key.relBlock(REL, 3), 0x200, base, 0x10,
                List.of(new VersionedValue(0x200, Value.pgRecord(raw, false))));
        assertThat(pageGetLower(page)).isEqualTo(40);
        assertThat(pageGetUpper(page)).isEqualTo(8000);
        assertThat(Arrays.copyOfRange(page, 40, 8000)).containsOnly((byte) 0);
        assertThat(page[8000]).isEqualTo((byte) 9);
        assertThat(page[8002]).isEqualTo((byte) 0x11);
        assertThat(pageGetLSN(page)).isEqualTo(0x200);
    }

    @Test
    void genericDeltaRunningOffThePageIsAnError() {
        byte[] base = new byte[8192];
        pageInit(base, 0);
        byte[] delta = bytes(le(8).putShort((short) 8190).putShort((short) 4).putInt(0));
        byte[] raw = record(20, 0).block(0, REL, 3, delta).raw();
        assertThatThrownBy(() -> redo.reconstruct(Key.relBlock(REL, 3), 0x200, base, 0,
                List.of(new VersionedValue(0x200, Value.pgRecord(raw, false)))))
                .isInstanceOf(RedoException.class).hasMessageContaining("Generic/Generic")
                .hasMessageContaining("page offset 8190");
    }

    @Test
    void recordTypeNamesFollowPgWaldump() {
        assertThat(RecordTypes.label(10, 0x80)).isEqualTo("Heap/INSERT+INIT");
        assertThat(RecordTypes.label(9, 0xD0)).isEqualTo("Heap2/MULTI_INSERT+INIT");
        assertThat(RecordTypes.label(1, 0x80)).isEqualTo("Transaction/COMMIT");
        assertThat(RecordTypes.label(11, 0x50)).isEqualTo("Btree/INSERT_POST");
        assertThat(RecordTypes.label(0, 0xC0)).isEqualTo("XLOG/UNKNOWN(0xc0)");
    }
}
