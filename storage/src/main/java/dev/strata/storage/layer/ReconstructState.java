package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.redo.RecordBatch;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;

import java.util.List;

/**
 * What the read path has gathered for one key so far, walking layers from the requested LSN down: records newest
 * first (flat, in a {@link RecordBatch}: a read creates no object per record), then the base image, or the fact
 * that the key was absent from an image layer (it did not exist there).
 */
public final class ReconstructState {
    private final Key key;
    private final byte[] keyBytes;
    private final RecordBatch records;
    private byte[] image;
    private long imageLsn;
    private boolean complete;

    private final Scan scan;
    /** Per-read scratch that layers reuse (a read visits its layers one at a time, on one thread). */
    private LayerFileReader.Memo memo;
    private byte[] probe;
    private long[] found;

    public ReconstructState(Key key) {
        this(key, null);
    }

    /** @param scan when not null, layer files are read through it rather than through the page cache */
    public ReconstructState(Key key, Scan scan) {
        this(key, scan, new RecordBatch());
    }

    /**
     * @param scan    when not null, layer files are read through it rather than through the page cache
     * @param records where the records go (cleared here); a reader reuses one per thread, as the state's records
     *                are only read until the page is reconstructed
     */
    public ReconstructState(Key key, Scan scan, RecordBatch records) {
        this.key = key;
        this.keyBytes = keyBytes(key);
        this.scan = scan;
        this.records = records;
        records.clear();
    }

    /**
     * Where a layer file's blocks come from for this read: the page cache (remembering the last block), or the
     * scan's own blocks when reading many keys in order.
     */
    java.util.function.IntFunction<byte[]> blocks(LayerFileReader reader) {
        if (scan != null) {
            return scan.blocks(reader);
        }
        if (memo == null) {
            memo = new LayerFileReader.Memo();
        }
        return memo.of(reader);
    }

    /** A reusable buffer of {@code len} bytes for an index probe (its contents are the caller's to set). */
    byte[] probe(int len) {
        if (probe == null || probe.length != len) {
            probe = new byte[len];
        }
        return probe;
    }

    /** A reusable array of at least {@code len} longs (contents undefined). */
    long[] scratch(int len) {
        if (found == null || found.length < len) {
            found = new long[Math.max(len, 16)];
        }
        return found;
    }

    /** Hands back a scratch array that a layer had to grow, so the next layer of this read reuses it. */
    void keepScratch(long[] grown) {
        found = grown;
    }

    /**
     * Reads of many keys in ascending order (image creation) that bypass the page cache: each layer file keeps its
     * last few blocks here, so consecutive keys read each block about once. One thread at a time.
     */
    public static final class Scan {
        private final java.util.IdentityHashMap<LayerFileReader, LayerFileReader.ScanBlocks> readers =
                new java.util.IdentityHashMap<>();

        LayerFileReader.ScanBlocks blocks(LayerFileReader reader) {
            return readers.computeIfAbsent(reader, r -> r.new ScanBlocks());
        }
    }

    /** The key's 18-byte form, written directly (this runs once per read). */
    static byte[] keyBytes(Key k) {
        byte[] b = new byte[Key.SIZE];
        b[0] = (byte) k.f1();
        Bytes.putInt(b, 1, k.f2());
        Bytes.putInt(b, 5, k.f3());
        Bytes.putInt(b, 9, k.f4());
        b[13] = (byte) k.f5();
        Bytes.putInt(b, 14, k.f6());
        return b;
    }

    public Key key() {
        return key;
    }

    byte[] keyBytes() {
        return keyBytes;
    }

    /** Adds the next older version; an image or a will-init record completes the state. */
    public void add(long lsn, Value v) {
        if (v.isImage()) {
            setImage(lsn, v.payload());
        } else {
            byte[] p = v.payload();
            records.add(lsn, v.kind(), v.willInit(), p, 0, p.length);
            complete = v.willInit();
        }
    }

    /**
     * The records gathered so far, for a layer to append the next older ones to directly ({@link RecordBatch#put});
     * the layer then reports with {@link #recordsAdded} whether the oldest of them completes the state.
     */
    RecordBatch batch() {
        return records;
    }

    /** After a layer appended records to {@link #batch()}: the oldest one completes the state if it is will-init. */
    void recordsAdded(boolean oldestWillInit) {
        complete = oldestWillInit;
    }

    public void setImage(long lsn, byte[] bytes) {
        image = bytes;
        imageLsn = lsn;
        complete = true;
    }

    /** An image layer at {@code lsn} covers the key but does not hold it: the key did not exist at that LSN. */
    public void absentAt(long lsn) {
        complete = true;
    }

    public boolean complete() {
        return complete;
    }

    /** True when some version was found (an image or a record). */
    public boolean found() {
        return image != null || !records.isEmpty();
    }

    /** The records gathered, flat, newest first (index 0); valid until the batch is reused by another read. */
    public RecordBatch records() {
        return records;
    }

    /** The base image, or null. */
    public byte[] image() {
        return image;
    }

    public long imageLsn() {
        return imageLsn;
    }

    /** Records gathered, newest first, as objects (copies: for tests and tools, not the read path). */
    public List<VersionedValue> recordsNewestFirst() {
        return records.toListNewestFirst();
    }

    /** Records gathered, oldest first, as objects (copies: for tests and tools, not the read path). */
    public List<VersionedValue> recordsOldestFirst() {
        return records.toListOldestFirst();
    }
}
