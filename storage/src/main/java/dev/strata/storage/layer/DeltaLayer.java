package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.redo.RecordBatch;
import dev.strata.storage.value.Value;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A delta layer file: every version of the keys in its key range whose LSN lies in its LSN range. An L0 delta
 * covers every key ({@link KeyRange#ALL}) for the LSN range of one flushed in-memory layer; an L1 delta, written by
 * compaction, covers part of the key space for the LSN range of the L0s it replaced.
 *
 * <p>The file uses {@link LayerFileFormat} with magic {@code STDL} and fenceWidth 26 (key + LSN), in format version 1
 * (fixed leaves, entrySize 38; what flushes write) or version 2 (clustered leaves, entrySize 20; what compaction
 * writes). Both read.
 * <pre>
 * version 1 leaf entry (38 bytes, big-endian), sorted by (key, LSN):
 *   0   18  key
 *   18  8   LSN the version is stored at (a record's end LSN)
 *   26  8   bit 63: will-init (the value is an image or a will-init record); bits 0..62: offset of the value in
 *           the values stream
 *   34  4   length of the value in bytes
 * version 2 leaf entry (20 bytes, big-endian; its key is in its leaf block's key directory):
 *   0   8   LSN
 *   8   8   bit 63: will-init; bit 62: inline; bits 0..61: when inline, the payload offset of the value in the
 *           entry's own leaf block (after the block's entries, ending inside its payload), else its offset in the
 *           values stream
 *   16  4   length of the value in bytes
 * value: a {@link Value} in its encoded form (u8 kind, u8 will-init, payload)
 * </pre>
 * Each (key, LSN) appears once. Versions of a key are adjacent and ascend by LSN, and their values are adjacent in
 * the values stream (or in their leaf block) in the same order. A version 2 writer keeps values of at most
 * {@link DeltaLayerWriter#INLINE_MAX} bytes inline, and starts a new leaf block rather than split a key's versions
 * when they fit in one, so that a read usually finds a key's versions and values in one block.
 *
 * <p>A read finds the last entry at or below (key, LSN) with one index probe, walks the entries backwards until one
 * has the will-init bit (so it decides where to stop from the index alone), and then reads those values.
 * The will-init bit of an entry must agree with its value's header (an image, or will-init byte 1); a disagreement
 * is reported as corruption of the file at that entry.
 */
public final class DeltaLayer extends PersistentLayer {
    public static final int ENTRY_SIZE = 38;
    public static final int FENCE_WIDTH = 26;
    static final long WILL_INIT_BIT = 1L << 63;
    /** Version 2: the value is in the entry's leaf block. */
    static final long INLINE_BIT = 1L << 62;

    private final boolean clustered;
    /** Where an entry's packed offset word and length are, from the entry's start. */
    private final int wordAt;
    private final int lenAt;

    private DeltaLayer(LayerName name, LayerFileReader reader) {
        super(name, reader);
        this.clustered = reader.clustered();
        this.wordAt = clustered ? 8 : FENCE_WIDTH;
        this.lenAt = wordAt + 8;
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
     * at the first entry whose will-init bit is set. The values of those entries are adjacent (in the values stream,
     * or inline in their leaf block), so reading them newest first looks each block up once.
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
        if (clustered) {
            collectClustered(st, blocks, last, keyBytes, floorLsn);
            return;
        }
        long[] found = walkBack(blocks, last, keyBytes, floorLsn, st.scratch(1 + 4 * 4));
        st.keepScratch(found);
        int n = (int) found[0];
        boolean completes = false;
        for (int k = 0; k < n; k++) {
            completes = addValue(st, found[4 * k + 1], found[4 * k + 2], (int) found[4 * k + 3], found[4 * k + 4],
                    blocks, null);
        }
        if (n > 0) {
            st.recordsAdded(completes);
        }
    }

    /**
     * Walks back from the leaf entry at position {@code last} over the versions of the key that {@code read} needs,
     * on the index only. Returns their count n, then per version (newest first) its LSN, packed offset word, length
     * and position, in {@code out} or, when more versions than fit, in a copy that grows by doubling.
     */
    private long[] walkBack(java.util.function.IntFunction<byte[]> blocks, long last, byte[] keyBytes, long floorLsn,
            long[] out) {
        long k0 = Bytes.getLong(keyBytes, 0);
        long k1 = Bytes.getLong(keyBytes, 8);
        int k2 = ((keyBytes[16] & 0xFF) << 8) | (keyBytes[17] & 0xFF);
        int blockNo = reader.leafBlockNo(last);
        byte[] b = blocks.apply(blockNo);
        int n = 0;
        for (long pos = last; pos >= 0; pos = reader.prevPos(pos, blocks)) {
            int no = reader.leafBlockNo(pos);
            if (no != blockNo) { // the previous entry ends the previous leaf block
                blockNo = no;
                b = blocks.apply(no);
            }
            int o = reader.leafOffset(pos);
            if (!Bytes.isKey(b, o, k0, k1, k2)) {
                break;
            }
            long lsn = Bytes.getLong(b, o + Key.SIZE);
            if (lsn < floorLsn) {
                break;
            }
            checkLsn(lsn, pos);
            out = record(out, n++, lsn, Bytes.getLong(b, o + FENCE_WIDTH), Bytes.getInt(b, o + FENCE_WIDTH + 8), pos);
            if ((out[2 + 4 * (n - 1)] & WILL_INIT_BIT) != 0) {
                break;
            }
        }
        out[0] = n;
        return out;
    }

    /**
     * {@link #collect} over clustered leaves: the key directory of the leaf block says where the key's entries start,
     * and the values are mostly in the same block. Per block, the walk back over the entries decides which versions
     * the read needs, then their values are read in ascending address order (which the hardware prefetches) and
     * added newest first. When the key's first entry is the block's first and the block says its first key is
     * continued, the walk goes on at the end of the previous block.
     */
    private void collectClustered(ReconstructState st, java.util.function.IntFunction<byte[]> blocks, long last,
            byte[] keyBytes, long floorLsn) {
        long k0 = Bytes.getLong(keyBytes, 0);
        long k1 = Bytes.getLong(keyBytes, 8);
        int k2 = ((keyBytes[16] & 0xFF) << 8) | (keyBytes[17] & 0xFF);
        for (long pos = last; pos >= 0; pos = reader.prevPos(pos & ~0xFFFFL, blocks)) {
            int no = reader.leafBlockNo(pos);
            byte[] b = blocks.apply(no);
            int hi = (int) (pos & 0xFFFF);
            if (hi >= ClusteredLeaf.check(b, reader.file(), no)) {
                throw LayerFileFormat.bad(reader.file(), reader.entryFileOffset(pos), "index points past the "
                        + "entries of leaf block " + no);
            }
            int k = ClusteredLeaf.keys(b);
            int j = ClusteredLeaf.keyOfEntry(b, hi, reader.file(), no);
            if (!Bytes.isKey(b, ClusteredLeaf.keyOffset(j), k0, k1, k2)) {
                return;
            }
            int first = ClusteredLeaf.firstEntry(b, k, j);
            long blockPos = pos & ~0xFFFFL;
            boolean done = false;
            int lo = hi + 1;
            while (lo > first) {
                int o = ClusteredLeaf.entryOffset(k, lo - 1);
                long lsn = Bytes.getLong(b, o);
                if (lsn < floorLsn) {
                    done = true;
                    break;
                }
                checkLsn(lsn, blockPos | (lo - 1));
                lo--;
                if ((Bytes.getLong(b, o + 8) & WILL_INIT_BIT) != 0) {
                    done = true;
                    break;
                }
            }
            addVersions(st, b, k, lo, hi, blockPos, blocks);
            if (done || first > 0 || !ClusteredLeaf.continued(b)) {
                return;
            }
        }
    }

    /**
     * Reads the values of entries lo..hi of leaf block b in ascending order (appending them to the state's records
     * oldest first, then turning that run around) and so adds them to st newest first.
     */
    private void addVersions(ReconstructState st, byte[] b, int k, int lo, int hi, long blockPos,
            java.util.function.IntFunction<byte[]> blocks) {
        if (hi < lo) {
            return;
        }
        int before = st.batch().size();
        boolean completes = false;
        for (int i = lo; i <= hi; i++) {
            int o = ClusteredLeaf.entryOffset(k, i);
            boolean c = addValue(st, Bytes.getLong(b, o), Bytes.getLong(b, o + 8), Bytes.getInt(b, o + 16),
                    blockPos | i, blocks, b);
            if (i == lo) {
                completes = c;
            }
        }
        st.batch().reverseLast(st.batch().size() - before);
        st.recordsAdded(completes);
    }

    /** Stores version {@code n} of a walk back, growing {@code out} by doubling when full. */
    private static long[] record(long[] out, int n, long lsn, long packed, int len, long pos) {
        if (1 + 4 * (n + 1) > out.length) {
            out = java.util.Arrays.copyOf(out, 1 + 8 * Math.max(n, 1));
        }
        out[1 + 4 * n] = lsn;
        out[2 + 4 * n] = packed;
        out[3 + 4 * n] = len;
        out[4 + 4 * n] = pos;
        return out;
    }

    private void checkLsn(long lsn, long pos) {
        if (lsn < lsnStart() || lsn >= lsnEnd()) {
            throw LayerFileFormat.bad(reader.file(), reader.entryFileOffset(pos), reader.describe(pos) + " has LSN "
                    + lsn + " outside the layer's LSN range");
        }
    }

    /** Whether the packed offset word of an entry points into its own leaf block (never in a version 1 file). */
    private boolean isInline(long packed) {
        return clustered && (packed & INLINE_BIT) != 0;
    }

    /** The offset bits of a packed offset word. */
    private long offsetOf(long packed) {
        return packed & (clustered ? ~(WILL_INIT_BIT | INLINE_BIT) : ~WILL_INIT_BIT);
    }

    /**
     * Fails unless the inline value of the entry at {@code pos}, {@code len} bytes at payload offset {@code off} of
     * its leaf block {@code b}, lies after the block's entries and inside its payload.
     */
    private void checkInline(byte[] b, long off, int len, long pos) {
        long valuesStart = ClusteredLeaf.valuesStart(b); // the header was checked when the entry was found
        if (off < valuesStart || off + len > LayerFileFormat.PAYLOAD) {
            throw LayerFileFormat.bad(reader.file(), reader.entryFileOffset(pos), reader.describe(pos)
                    + " points at inline bytes " + off + ".." + (off + len) + " outside its leaf block's values ("
                    + valuesStart + ".." + LayerFileFormat.PAYLOAD + ")");
        }
    }

    /**
     * Adds the value of the entry at {@code pos}, stored at {@code lsn}, to st from its packed offset word and length:
     * reads the 2-byte header in place, then copies the payload once, a record's straight into the state's record
     * batch, an image into an array of its own. An inline value is read from {@code leaf}, the entry's leaf block,
     * when the caller has it (else from {@code blocks}).
     *
     * @return whether the value completes the state (an image or a will-init record)
     */
    private boolean addValue(ReconstructState st, long lsn, long packedOff, int len, long pos,
            java.util.function.IntFunction<byte[]> blocks, byte[] leaf) {
        if (len < 2) {
            throw LayerFileFormat.bad(reader.file(), reader.entryFileOffset(pos), "value of " + reader.describe(pos)
                    + " has " + len + " bytes, less than its header");
        }
        long off = offsetOf(packedOff);
        boolean inline = isInline(packedOff);
        byte[] b = null;
        byte kind;
        boolean willInit;
        if (inline) {
            b = leaf != null ? leaf : blocks.apply(reader.leafBlockNo(pos));
            checkInline(b, off, len, pos);
            kind = b[(int) off];
            willInit = b[(int) off + 1] != 0;
        } else {
            reader.checkValueBounds(off, len, pos);
            kind = reader.valueByte(off, blocks);
            willInit = reader.valueByte(off + 1, blocks) != 0;
        }
        if (((packedOff & WILL_INIT_BIT) != 0) != (kind == Value.IMAGE || willInit)) {
            throw LayerFileFormat.bad(reader.file(), reader.entryFileOffset(pos), "value of " + reader.describe(pos)
                    + " disagrees with the entry's will-init bit");
        }
        byte[] dst;
        int at;
        if (kind == Value.IMAGE) {
            dst = new byte[len - 2];
            at = 0;
        } else if (kind == Value.PG_RECORD || kind == Value.STRATA_RECORD) {
            RecordBatch batch = st.batch();
            at = batch.put(batch.reserve(1), lsn, kind, willInit, len - 2);
            dst = batch.buffer();
        } else {
            throw LayerFileFormat.bad(reader.file(), reader.entryFileOffset(pos), "value of " + reader.describe(pos)
                    + " has unknown kind " + kind);
        }
        if (inline) {
            System.arraycopy(b, (int) off + 2, dst, at, len - 2);
        } else {
            reader.copyValues(off + 2, dst, at, len - 2, blocks);
        }
        if (kind == Value.IMAGE) {
            st.setImage(lsn, dst);
            return true;
        }
        return willInit;
    }

    @Override
    public void forEachKey(KeyRange range, long lsn, Consumer<Key> out) {
        byte[] target = new byte[FENCE_WIDTH];
        System.arraycopy(range.start().toBytes(), 0, target, 0, Key.SIZE);
        byte[] end = range.end().toBytes();
        long start = reader.search(target, reader::block);
        if (clustered) {
            forEachKeyClustered(start, end, lsn, out);
            return;
        }
        byte[] last = null;
        for (long i = start + 1; i < entryCount(); i++) {
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

    /** {@link #forEachKey} over clustered leaves, key by key through their directories, after position start. */
    private void forEachKeyClustered(long start, byte[] end, long lsn, Consumer<Key> out) {
        long leafBlocks = reader.summary().levels()[0].entries();
        int from = start < 0 ? 0 : (int) (start & 0xFFFF) + 1;
        byte[] last = null;
        for (long blk = start < 0 ? 0 : start >>> 16; blk < leafBlocks; blk++, from = 0) {
            int no = reader.leafBlockNo(blk << 16);
            byte[] b = reader.block(no);
            ClusteredLeaf.check(b, reader.file(), no);
            int k = ClusteredLeaf.keys(b);
            for (int j = 0; j < k; j++) {
                int first = Math.max(from, ClusteredLeaf.firstEntry(b, k, j));
                if (first >= ClusteredLeaf.endEntry(b, k, j)) {
                    continue; // before the start
                }
                int ko = ClusteredLeaf.keyOffset(j);
                if (java.util.Arrays.compareUnsigned(b, ko, ko + Key.SIZE, end, 0, Key.SIZE) >= 0) {
                    return;
                }
                if (last != null && Bytes.startsWith(b, ko, last)) {
                    continue; // continued from the block before: its first version there decided
                }
                last = java.util.Arrays.copyOfRange(b, ko, ko + Key.SIZE);
                if (Bytes.getLong(b, ClusteredLeaf.entryOffset(k, first)) <= lsn) {
                    out.accept(Key.fromBytes(b, ko));
                }
            }
        }
    }

    /** A one-pass cursor over every entry in (key, LSN) order, for compaction. */
    public Cursor cursor() {
        return new Cursor();
    }

    /** Iterates entries without filling the page cache. */
    public final class Cursor {
        private long pos = -1;
        private boolean started;
        private byte[] leaf;
        private int leafNo = -1;
        private int off;
        private int valueBlockNo = -1;
        private byte[] valueBlock;
        private final java.util.function.IntFunction<byte[]> leaves = this::leafBlock;

        /** This entry's key and LSN, the order of entries. */
        private final byte[] fence = new byte[FENCE_WIDTH];

        /** Moves to the next entry; false at the end. */
        public boolean next() {
            if (started && pos < 0) {
                return false;
            }
            pos = started ? reader.nextPos(pos, leaves) : reader.firstPos();
            started = true;
            if (pos < 0) {
                return false;
            }
            int no = reader.leafBlockNo(pos);
            leaf = leafBlock(no);
            if (clustered) {
                reader.leafCount(leaf, no);
                int j = ClusteredLeaf.keyOfEntry(leaf, (int) (pos & 0xFFFF), reader.file(), no);
                System.arraycopy(leaf, ClusteredLeaf.keyOffset(j), fence, 0, Key.SIZE);
                off = reader.entryOffset(leaf, pos);
                System.arraycopy(leaf, off, fence, Key.SIZE, 8);
            } else {
                off = reader.leafOffset(pos);
                System.arraycopy(leaf, off, fence, 0, FENCE_WIDTH);
            }
            checkLsn(lsn(), pos);
            return true;
        }

        private byte[] leafBlock(int no) {
            if (no != leafNo) {
                leaf = reader.blockForScan(no);
                leafNo = no;
            }
            return leaf;
        }

        public Key key() {
            return Key.fromBytes(fence, 0);
        }

        /** Compares this entry's key with another cursor's (unsigned bytes, the key order). */
        public int compareKeyLsn(Cursor o) {
            return java.util.Arrays.compareUnsigned(fence, 0, FENCE_WIDTH, o.fence, 0, FENCE_WIDTH);
        }

        public boolean sameKey(byte[] keyBytes) {
            return Bytes.startsWith(fence, 0, keyBytes);
        }

        public byte[] keyBytes() {
            return java.util.Arrays.copyOfRange(fence, 0, Key.SIZE);
        }

        public long lsn() {
            return Bytes.getLong(fence, Key.SIZE);
        }

        public boolean willInit() {
            return (Bytes.getLong(leaf, off + wordAt) & WILL_INIT_BIT) != 0;
        }

        /** The length of this entry's encoded value, from the index alone. */
        public int valueLength() {
            return Bytes.getInt(leaf, off + lenAt);
        }

        /** Compares this entry's key with an 18-byte key (unsigned bytes, the key order). */
        public int compareKey(byte[] keyBytes) {
            return java.util.Arrays.compareUnsigned(fence, 0, Key.SIZE, keyBytes, 0, Key.SIZE);
        }

        /** The encoded value of the current entry. */
        public byte[] rawValue() {
            long packed = Bytes.getLong(leaf, off + wordAt);
            int len = Bytes.getInt(leaf, off + lenAt);
            long at = offsetOf(packed);
            if (isInline(packed)) {
                checkInline(leaf, at, len, pos);
                return java.util.Arrays.copyOfRange(leaf, (int) at, (int) at + len);
            }
            return reader.readValue(at, len, pos, this::valueBlock);
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
