package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.value.Value;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A delta layer file: every version of the keys in its key range whose LSN lies in its LSN range. An L0 delta
 * covers every key ({@link KeyRange#ALL}) for the LSN range of one flushed in-memory layer; an L1 delta, written by
 * compaction, covers part of the key space for the LSN range of the L0s it replaced.
 *
 * <p>The file uses {@link LayerFileFormat} with magic {@code STDL}, entrySize 38 and fenceWidth 26.
 * <pre>
 * leaf entry (38 bytes, big-endian), sorted by (key, LSN):
 *   0   18  key
 *   18  8   LSN the version is stored at (a record's end LSN)
 *   26  8   bit 63: will-init (the value is an image or a will-init record); bits 0..62: offset of the value in
 *           the values stream
 *   34  4   length of the value in bytes
 * value: a {@link Value} in its encoded form (u8 kind, u8 will-init, payload)
 * </pre>
 * Each (key, LSN) appears once. Versions of a key are adjacent and ascend by LSN, and their values are adjacent in
 * the values stream in the same order. A read finds the last entry at or below (key, LSN) with one index probe,
 * walks the entries backwards until one has the will-init bit (so it decides where to stop from the index alone),
 * and then reads those values forwards. The will-init bit of an entry must agree with its value's header (an
 * image, or will-init byte 1); a disagreement is reported as corruption of the file at that entry.
 */
public final class DeltaLayer extends PersistentLayer {
    public static final int ENTRY_SIZE = 38;
    public static final int FENCE_WIDTH = 26;
    static final long WILL_INIT_BIT = 1L << 63;

    private DeltaLayer(LayerName name, LayerFileReader reader) {
        super(name, reader);
    }

    /** Opens and checks the summary of {@code dir/name}. */
    public static DeltaLayer open(Path dir, LayerName name, LayerFiles files) {
        return new DeltaLayer(name, new LayerFileReader(dir.resolve(name.fileName()), files,
                LayerFileFormat.DELTA_MAGIC));
    }

    public boolean isL0() {
        return name.isL0();
    }

    @Override
    public String kind() {
        return isL0() ? "delta-l0" : "delta-l1";
    }

    /**
     * One index probe finds the newest entry at or below (key, uptoLsn); the key's older versions are the entries
     * just before it (sorted by (key, LSN)), so the walk back reads index entries only, stopping at the LSN floor or
     * at the first entry whose will-init bit is set. The values of those entries are adjacent in the values stream,
     * so they are then read forwards, each block looked up once.
     */
    @Override
    public void collect(ReconstructState st, long floorLsn, long uptoLsn) {
        byte[] keyBytes = st.keyBytes();
        byte[] target = st.probe(FENCE_WIDTH);
        System.arraycopy(keyBytes, 0, target, 0, Key.SIZE);
        Bytes.putLong(target, Key.SIZE, uptoLsn);
        java.util.function.IntFunction<byte[]> blocks = st.blocks(reader);
        long last = reader.search(target, blocks);
        if (last < 0) {
            return;
        }
        long[] found = walkBack(blocks, last, keyBytes, floorLsn, st.scratch(1 + 3 * 4));
        st.keepScratch(found);
        int n = (int) found[0];
        if (n == 0) {
            return;
        }
        Value[] values = new Value[n];
        for (int k = n - 1; k >= 0; k--) {
            values[k] = readValue(found[3 * k + 2], (int) found[3 * k + 3], last - k, blocks);
        }
        st.reserve(n);
        for (int k = 0; k < n; k++) {
            st.add(found[3 * k + 1], values[k]);
        }
    }

    /**
     * Walks back from leaf entry {@code last} over the versions of the key that {@code read} needs, on the index
     * only. Returns their count n, then per version (newest first) its LSN, packed offset word and length, in
     * {@code out} or, when more versions than fit, in a copy that grows by doubling.
     */
    private long[] walkBack(java.util.function.IntFunction<byte[]> blocks, long last, byte[] keyBytes, long floorLsn,
            long[] out) {
        long k0 = Bytes.getLong(keyBytes, 0);
        long k1 = Bytes.getLong(keyBytes, 8);
        int k2 = ((keyBytes[16] & 0xFF) << 8) | (keyBytes[17] & 0xFF);
        int blockNo = reader.leafBlockNo(last);
        int o = reader.leafOffset(last);
        byte[] b = blocks.apply(blockNo);
        int n = 0;
        for (long i = last; i >= 0; i--) {
            if (o < 0) { // the previous entry ends the previous leaf block
                b = blocks.apply(--blockNo);
                o = (reader.perLeaf() - 1) * ENTRY_SIZE;
            }
            if (!Bytes.isKey(b, o, k0, k1, k2)) {
                break;
            }
            long lsn = Bytes.getLong(b, o + Key.SIZE);
            if (lsn < floorLsn) {
                break;
            }
            checkLsn(lsn, i);
            if (1 + 3 * (n + 1) > out.length) {
                out = java.util.Arrays.copyOf(out, 1 + 6 * Math.max(n, 1));
            }
            long packed = Bytes.getLong(b, o + FENCE_WIDTH);
            out[1 + 3 * n] = lsn;
            out[2 + 3 * n] = packed;
            out[3 + 3 * n] = Bytes.getInt(b, o + FENCE_WIDTH + 8);
            n++;
            if ((packed & WILL_INIT_BIT) != 0) {
                break;
            }
            o -= ENTRY_SIZE;
        }
        out[0] = n;
        return out;
    }

    private void checkLsn(long lsn, long i) {
        if (lsn < lsnStart() || lsn >= lsnEnd()) {
            throw LayerFileFormat.bad(reader.file(), entryFileOffset(i), "entry " + i + " has LSN " + lsn
                    + " outside the layer's LSN range");
        }
    }

    private long entryFileOffset(long i) {
        return (long) reader.leafBlockNo(i) * LayerFileFormat.BLOCK_SIZE + reader.leafOffset(i);
    }

    /**
     * Decodes the value of entry i from its packed offset word and length: reads the 2-byte header in place, then
     * copies the payload once, so the blocks are visited in stream order.
     */
    private Value readValue(long packedOff, int len, long i, java.util.function.IntFunction<byte[]> blocks) {
        long off = packedOff & ~WILL_INIT_BIT;
        if (len < 2) {
            throw LayerFileFormat.bad(reader.file(), entryFileOffset(i), "value of entry " + i + " has " + len
                    + " bytes, less than its header");
        }
        reader.checkValueBounds(off, len, i);
        byte kind = reader.valueByte(off, blocks);
        boolean willInit = reader.valueByte(off + 1, blocks) != 0;
        if (((packedOff & WILL_INIT_BIT) != 0) != (kind == Value.IMAGE || willInit)) {
            throw LayerFileFormat.bad(reader.file(), entryFileOffset(i), "value of entry " + i
                    + " disagrees with the entry's will-init bit");
        }
        byte[] payload = new byte[len - 2];
        reader.copyValues(off + 2, payload, 0, len - 2, blocks);
        switch (kind) {
            case Value.IMAGE:
                return Value.image(payload);
            case Value.PG_RECORD:
                return Value.pgRecord(payload, willInit);
            case Value.STRATA_RECORD:
                return Value.strataRecord(payload, willInit);
            default:
                throw LayerFileFormat.bad(reader.file(), entryFileOffset(i), "value of entry " + i
                        + " has unknown kind " + kind);
        }
    }

    @Override
    public void forEachKey(KeyRange range, long lsn, Consumer<Key> out) {
        byte[] target = new byte[FENCE_WIDTH];
        System.arraycopy(range.start().toBytes(), 0, target, 0, Key.SIZE);
        byte[] end = range.end().toBytes();
        long n = entryCount();
        byte[] last = null;
        for (long i = reader.search(target) + 1; i < n; i++) {
            byte[] b = reader.leafBlock(i);
            int o = reader.leafOffset(i);
            if (java.util.Arrays.compareUnsigned(b, o, o + Key.SIZE, end, 0, Key.SIZE) >= 0) {
                return;
            }
            if (last != null && Bytes.startsWith(b, o, last)) {
                continue; // versions of a key ascend by LSN: the first one decides
            }
            last = java.util.Arrays.copyOfRange(b, o, o + Key.SIZE);
            if (Bytes.getLong(b, o + Key.SIZE) <= lsn) {
                out.accept(Key.fromBytes(b, o));
            }
        }
    }

    /** A one-pass cursor over every entry in (key, LSN) order, for compaction. */
    public Cursor cursor() {
        return new Cursor();
    }

    /** Iterates entries without filling the page cache. */
    public final class Cursor {
        private long i = -1;
        private byte[] leaf;
        private int leafNo = -1;
        private int off;
        private int valueBlockNo = -1;
        private byte[] valueBlock;

        /** Moves to the next entry; false at the end. */
        public boolean next() {
            if (++i >= entryCount()) {
                return false;
            }
            int no = reader.leafBlockNo(i);
            if (no != leafNo) {
                leaf = reader.blockForScan(no);
                leafNo = no;
            }
            off = reader.leafOffset(i);
            checkLsn(lsn(), i);
            return true;
        }

        public Key key() {
            return Key.fromBytes(leaf, off);
        }

        /** Compares this entry's key with another cursor's (unsigned bytes, the key order). */
        public int compareKeyLsn(Cursor o) {
            return java.util.Arrays.compareUnsigned(leaf, off, off + FENCE_WIDTH, o.leaf, o.off, o.off + FENCE_WIDTH);
        }

        public boolean sameKey(byte[] keyBytes) {
            return Bytes.startsWith(leaf, off, keyBytes);
        }

        public byte[] keyBytes() {
            return java.util.Arrays.copyOfRange(leaf, off, off + Key.SIZE);
        }

        public long lsn() {
            return Bytes.getLong(leaf, off + Key.SIZE);
        }

        public boolean willInit() {
            return (Bytes.getLong(leaf, off + FENCE_WIDTH) & WILL_INIT_BIT) != 0;
        }

        /** The encoded value of the current entry. */
        public byte[] rawValue() {
            long packed = Bytes.getLong(leaf, off + FENCE_WIDTH);
            int len = Bytes.getInt(leaf, off + FENCE_WIDTH + 8);
            return reader.readValue(packed & ~WILL_INIT_BIT, len, i, this::valueBlock);
        }

        // Consecutive values share blocks: keep the last one instead of reading it again.
        private byte[] valueBlock(int blockNo) {
            if (blockNo != valueBlockNo) {
                valueBlock = reader.blockForScan(blockNo);
                valueBlockNo = blockNo;
            }
            return valueBlock;
        }

        public DeltaLayer layer() {
            return DeltaLayer.this;
        }
    }
}
