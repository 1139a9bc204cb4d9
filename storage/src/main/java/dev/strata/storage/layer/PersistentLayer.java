package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.timeline.LayerInfo;

import java.nio.file.Path;
import java.util.function.Consumer;

/** An immutable layer file on disk: a delta layer (L0 or L1) or an image layer. */
public abstract sealed class PersistentLayer implements Layer, AutoCloseable permits DeltaLayer, ImageLayer {
    protected final LayerName name;
    protected final LayerFileReader reader;

    PersistentLayer(LayerName name, LayerFileReader reader) {
        this.name = name;
        this.reader = reader;
        LayerFileFormat.Summary s = reader.summary();
        if (!s.keyStart().equals(name.keyRange().start()) || !s.keyEnd().equals(name.keyRange().end())
                || s.lsnStart() != name.lsnStart() || s.lsnEnd() != name.lsnEnd()) {
            reader.close();
            throw LayerFileFormat.bad(reader.file(), 10, "summary ranges " + s.keyStart() + "-" + s.keyEnd()
                    + "__" + s.lsnStart() + "-" + s.lsnEnd() + " disagree with the file name");
        }
    }

    public LayerName name() {
        return name;
    }

    public Path path() {
        return reader.path();
    }

    @Override
    public KeyRange keyRange() {
        return name.keyRange();
    }

    @Override
    public long lsnStart() {
        return name.lsnStart();
    }

    @Override
    public long lsnEnd() {
        return name.lsnEnd();
    }

    public long sizeBytes() {
        return reader.sizeBytes();
    }

    public long entryCount() {
        return reader.summary().entryCount();
    }

    public abstract String kind();

    /**
     * Adds to {@code st} the versions of its key in {@code [floorLsn, uptoLsn]}, newest first, until the state is
     * complete.
     */
    public abstract void collect(ReconstructState st, long floorLsn, long uptoLsn);

    /** Calls {@code out} with each key in {@code range} that has a version at or below {@code lsn}, in order. */
    public abstract void forEachKey(KeyRange range, long lsn, Consumer<Key> out);

    @Override
    public LayerInfo info() {
        return new LayerInfo(name.fileName(), kind(), keyRange().start(), keyRange().end(), lsnStart(), lsnEnd(),
                sizeBytes());
    }

    /** Releases the file; readers still holding this layer get {@link LayerRetiredException}. */
    @Override
    public void close() {
        reader.close();
    }

    @Override
    public String toString() {
        return name.fileName();
    }
}
