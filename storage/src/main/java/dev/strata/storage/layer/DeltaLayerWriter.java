package dev.strata.storage.layer;

import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.value.Value;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Writes a {@link DeltaLayer} file: versions added in (key, LSN) order go to a temporary file, which
 * {@link #finish} fsyncs and renames to the layer's name.
 */
public final class DeltaLayerWriter implements AutoCloseable {
    private final Path dir;
    private final DurableFiles files;
    private final LayerFileWriter w;
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
        this.dir = dir;
        this.files = files;
        Path temp = dir.resolve("delta-" + UUID.randomUUID() + DurableFiles.TEMP_SUFFIX);
        this.w = new LayerFileWriter(temp, LayerFileFormat.DELTA_MAGIC, DeltaLayer.ENTRY_SIZE,
                DeltaLayer.FENCE_WIDTH, files, writeBehind, earlySync);
    }

    /** Adds a version given as an encoded {@link Value}. */
    public void add(byte[] keyBytes, long lsn, byte[] encodedValue) {
        boolean willInit = encodedValue[0] == Value.IMAGE || encodedValue[1] != 0;
        long off = w.appendValue(encodedValue, 0, encodedValue.length);
        System.arraycopy(keyBytes, 0, entry, 0, Key.SIZE);
        Bytes.putLong(entry, Key.SIZE, lsn);
        Bytes.putLong(entry, DeltaLayer.FENCE_WIDTH, willInit ? off | DeltaLayer.WILL_INIT_BIT : off);
        Bytes.putInt(entry, DeltaLayer.FENCE_WIDTH + 8, encodedValue.length);
        w.addEntry(entry);
        lastKeyBytes = keyBytes;
    }

    public void add(Key key, long lsn, Value value) {
        add(key.toBytes(), lsn, value.encode());
    }

    public boolean isEmpty() {
        return w.entryCount() == 0;
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
