package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An image layer file: the value of every key of its key range that exists at its LSN, fully reconstructed. A
 * key inside the range that the file does not hold did not exist at that LSN, so a read stops here either way.
 *
 * <p>The file uses {@link LayerFileFormat} with magic {@code STIM}, entrySize 30 and fenceWidth 18; its LSN range
 * is {@code lsn .. lsn+1}.
 * <pre>
 * leaf entry (30 bytes, big-endian), sorted by key, one per key:
 *   0   18  key
 *   18  8   offset of the image in the values stream
 *   26  4   length of the image in bytes
 * value: the image bytes themselves (an 8192-byte page, or a metadata value such as a relation size)
 * </pre>
 */
public final class ImageLayer extends PersistentLayer {
    public static final int ENTRY_SIZE = 30;

    private ImageLayer(LayerName name, LayerFileReader reader) {
        super(name, reader);
    }

    public static ImageLayer open(Path dir, LayerName name, LayerFiles files) {
        return new ImageLayer(name, new LayerFileReader(dir.resolve(name.fileName()), files,
                LayerFileFormat.IMAGE_MAGIC));
    }

    public long lsn() {
        return lsnStart();
    }

    @Override
    public String kind() {
        return "image";
    }

    @Override
    public void collect(ReconstructState st, long floorLsn, long uptoLsn) {
        byte[] keyBytes = st.keyBytes();
        java.util.function.IntFunction<byte[]> blocks = st.blocks(reader);
        long i = reader.search(keyBytes, blocks);
        if (i >= 0) {
            byte[] b = blocks.apply(reader.leafBlockNo(i));
            int o = reader.leafOffset(i);
            if (Bytes.startsWith(b, o, keyBytes)) {
                long off = Bytes.getLong(b, o + Key.SIZE);
                int len = Bytes.getInt(b, o + Key.SIZE + 8);
                st.setImage(lsn(), reader.readValue(off, len, i, blocks));
                return;
            }
        }
        st.absentAt(lsn());
    }

    @Override
    public void forEachKey(KeyRange range, long lsn, Consumer<Key> out) {
        if (lsn < lsn()) {
            return;
        }
        byte[] start = range.start().toBytes();
        byte[] end = range.end().toBytes();
        long i = reader.search(start);
        if (i < 0 || !Bytes.startsWith(reader.leafBlock(i), reader.leafOffset(i), start)) {
            i++;
        }
        for (long n = entryCount(); i < n; i++) {
            byte[] b = reader.leafBlock(i);
            int o = reader.leafOffset(i);
            if (Arrays.compareUnsigned(b, o, o + Key.SIZE, end, 0, Key.SIZE) >= 0) {
                return;
            }
            out.accept(Key.fromBytes(b, o));
        }
    }
}
