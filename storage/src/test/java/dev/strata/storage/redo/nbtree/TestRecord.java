package dev.strata.storage.redo.nbtree;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds decoded records by hand for redo unit tests: a header, each block's data, then the main data. */
public final class TestRecord {
    public static final RelTag REL = new RelTag(1663, 5, 16384, 0);

    private final int rmid;
    private final int info;
    private final BlockRef[] blocks = new BlockRef[33];
    private final byte[][] blockData = new byte[33][];
    private final int[] blockFlags = new int[33];
    private final int[] blockNos = new int[33];
    private byte[] main = new byte[0];
    private long lsn = 0x1000000L;
    private int xid = 740;

    private TestRecord(int rmid, int info) {
        this.rmid = rmid;
        this.info = info;
    }

    public static TestRecord of(int rmid, int info) {
        return new TestRecord(rmid, info);
    }

    public TestRecord block(int id, int blkno, byte[] data) {
        return block(id, blkno, data, false);
    }

    public TestRecord block(int id, int blkno, byte[] data, boolean willInit) {
        blockNos[id] = blkno;
        blockData[id] = data == null ? new byte[0] : data;
        blockFlags[id] = (data != null && data.length > 0 ? BlockRef.BKPBLOCK_HAS_DATA : 0)
                | (willInit ? BlockRef.BKPBLOCK_WILL_INIT : 0) | 0x100;
        return this;
    }

    public TestRecord main(byte[] data) {
        this.main = data;
        return this;
    }

    public TestRecord lsn(long startLsn) {
        this.lsn = startLsn;
        return this;
    }

    public TestRecord xid(int xid) {
        this.xid = xid;
        return this;
    }

    public DecodedRecord build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[24]);
        int maxId = -1;
        for (int id = 0; id < 33; id++) {
            if ((blockFlags[id] & 0x100) == 0) {
                continue;
            }
            maxId = id;
            int off = out.size();
            out.writeBytes(blockData[id]);
            blocks[id] = new BlockRef(id, REL, blockNos[id], blockFlags[id] & 0xFF, -1, 0, 0, 0, 0,
                    blockData[id].length == 0 ? -1 : off, blockData[id].length);
        }
        int mainOff = out.size();
        out.writeBytes(main);
        byte[] raw = out.toByteArray();
        ByteBuffer h = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, raw.length).putInt(4, xid).putLong(8, lsn - 64);
        raw[16] = (byte) info;
        raw[17] = (byte) rmid;
        long end = (lsn + raw.length + 7) & ~7L;
        return new DecodedRecord(lsn, end, raw, blocks, maxId, mainOff, main.length, 0, 0);
    }

    /** Little-endian bytes from u16/u32 values: {@code le(2, offnum, 4, blkno)} pairs of (width, value). */
    public static byte[] le(long... widthValue) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < widthValue.length; i += 2) {
            int w = (int) widthValue[i];
            long v = widthValue[i + 1];
            for (int b = 0; b < w; b++) {
                out.write((int) (v >>> (8 * b)) & 0xFF);
            }
        }
        return out.toByteArray();
    }

    /** Concatenates byte arrays. */
    public static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
