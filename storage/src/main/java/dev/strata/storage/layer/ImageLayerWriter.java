package dev.strata.storage.layer;

import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Writes an {@link ImageLayer} file: images added in key order go to a temporary file, which {@link #finish}
 * fsyncs and renames to the layer's name.
 */
public final class ImageLayerWriter implements AutoCloseable {
    private final Path dir;
    private final DurableFiles files;
    private final LayerFileWriter w;
    private final byte[] entry = new byte[ImageLayer.ENTRY_SIZE];

    public ImageLayerWriter(Path dir, DurableFiles files) {
        this(dir, files, false, false);
    }

    /**
     * @param writeBehind write the file on a thread of its own while the caller adds to it
     * @param earlySync   with write-behind, also write back to disk as the file grows (pass whether fsync is on)
     */
    public ImageLayerWriter(Path dir, DurableFiles files, boolean writeBehind, boolean earlySync) {
        this.dir = dir;
        this.files = files;
        Path temp = dir.resolve("image-" + UUID.randomUUID() + DurableFiles.TEMP_SUFFIX);
        this.w = new LayerFileWriter(temp, LayerFileFormat.IMAGE_MAGIC, ImageLayer.ENTRY_SIZE, Key.SIZE, files, writeBehind, earlySync);
    }

    public void add(Key key, byte[] image) {
        add(key.toBytes(), image);
    }

    public void add(byte[] keyBytes, byte[] image) {
        long off = w.appendValue(image, 0, image.length);
        System.arraycopy(keyBytes, 0, entry, 0, Key.SIZE);
        Bytes.putLong(entry, Key.SIZE, off);
        Bytes.putInt(entry, Key.SIZE + 8, image.length);
        w.addEntry(entry);
    }

    public long entryCount() {
        return w.entryCount();
    }

    public long approximateSize() {
        return w.approximateSize();
    }

    /** Completes the file, renames it to its layer name (durably) and opens it. */
    public ImageLayer finish(KeyRange keys, long lsn, LayerFiles layerFiles) {
        LayerName name = LayerName.image(keys, lsn);
        w.finish(keys, lsn, lsn + 1);
        files.rename(w.path(), dir.resolve(name.fileName()), "layer");
        return ImageLayer.open(dir, name, layerFiles);
    }

    @Override
    public void close() {
        w.close();
    }
}
