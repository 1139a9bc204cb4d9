package dev.strata.storage.layer;

import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.value.Value;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Writes a {@link DeltaLayer} file: versions added in (key, LSN) order go to a temporary file, which
 * {@link #finish} fsyncs and renames to the layer's name. The file has fixed leaves (format version 1) unless the
 * writer is made clustered (version 2: values of at most {@link #INLINE_MAX} bytes next to their index entries).
 */
public final class DeltaLayerWriter implements AutoCloseable {
    /** The largest encoded value a clustered file keeps inline in its leaf block; larger ones go to the stream. */
    public static final int INLINE_MAX = 2048;

    private final Path dir;
    private final DurableFiles files;
    private final LayerFileWriter w;
    /** Null for a version 1 file. */
    private final ClusteredLeaves clustered;
    private final byte[] entry = new byte[DeltaLayer.ENTRY_SIZE];
    private byte[] lastKeyBytes;

    public DeltaLayerWriter(Path dir, DurableFiles files) {
        this(dir, files, false, false);
    }

    /**
     * @param writeBehind write the file on a thread of its own while the caller adds to it
     * @param earlySync   with write-behind, also write back to disk as the file grows (pass whether fsync is on)
     */
    public DeltaLayerWriter(Path dir, DurableFiles files, boolean writeBehind, boolean earlySync) {
        this(dir, files, writeBehind, earlySync, false);
    }

    /**
     * @param clusteredLeaves write format version 2, whose leaf blocks carry small values next to their entries
     *                        (reads take one block fewer; the leaves, values included, are held back or spilled
     *                        until the values stream is complete)
     */
    public DeltaLayerWriter(Path dir, DurableFiles files, boolean writeBehind, boolean earlySync,
                            boolean clusteredLeaves) {
        this(dir, files, writeBehind, earlySync, clusteredLeaves, false);
    }

    /**
     * @param directIo write the file around the page cache where the file system allows it (a flush's L0: written
     *                 once, read by compaction later, and as large as the in-memory layer)
     */
    public DeltaLayerWriter(Path dir, DurableFiles files, boolean writeBehind, boolean earlySync,
                            boolean clusteredLeaves, boolean directIo) {
        this.dir = dir;
        this.files = files;
        Path temp = dir.resolve("delta-" + UUID.randomUUID() + DurableFiles.TEMP_SUFFIX);
        this.w = new LayerFileWriter(temp, LayerFileFormat.DELTA_MAGIC,
                clusteredLeaves ? ClusteredLeaf.ENTRY_SIZE : DeltaLayer.ENTRY_SIZE, DeltaLayer.FENCE_WIDTH, files,
                writeBehind, earlySync, clusteredLeaves, directIo);
        this.clustered = clusteredLeaves ? new ClusteredLeaves(w) : null;
    }

    /** Adds a version given as an encoded {@link Value}. */
    public void add(byte[] keyBytes, long lsn, byte[] encodedValue) {
        boolean willInit = encodedValue[0] == Value.IMAGE || encodedValue[1] != 0;
        boolean inline = clustered != null && encodedValue.length <= INLINE_MAX;
        long off = inline ? 0 : w.appendValue(encodedValue, 0, encodedValue.length);
        long word = willInit ? off | DeltaLayer.WILL_INIT_BIT : off;
        if (clustered != null) {
            clustered.add(keyBytes, lsn, word, encodedValue.length, inline ? encodedValue : null);
        } else {
            System.arraycopy(keyBytes, 0, entry, 0, Key.SIZE);
            Bytes.putLong(entry, Key.SIZE, lsn);
            Bytes.putLong(entry, DeltaLayer.FENCE_WIDTH, word);
            Bytes.putInt(entry, DeltaLayer.FENCE_WIDTH + 8, encodedValue.length);
            w.addEntry(entry);
        }
        lastKeyBytes = keyBytes;
    }

    public void add(Key key, long lsn, Value value) {
        add(key.toBytes(), lsn, value.encode());
    }

    public boolean isEmpty() {
        return lastKeyBytes == null;
    }

    public long approximateSize() {
        return w.approximateSize();
    }

    /** The last key added (null when empty). */
    public Key lastKey() {
        return lastKeyBytes == null ? null : Key.fromBytes(lastKeyBytes, 0);
    }

    /** Completes the file, renames it to its layer name (durably) and opens it. */
    public DeltaLayer finish(KeyRange keys, long lsnStart, long lsnEnd, LayerFiles layerFiles) {
        LayerName name = LayerName.delta(keys, lsnStart, lsnEnd);
        if (clustered != null) {
            clustered.finish();
        }
        w.finish(keys, lsnStart, lsnEnd);
        files.rename(w.path(), dir.resolve(name.fileName()), "layer");
        return DeltaLayer.open(dir, name, layerFiles);
    }

    /** Abandons an unfinished file. */
    @Override
    public void close() {
        w.close();
    }
}
