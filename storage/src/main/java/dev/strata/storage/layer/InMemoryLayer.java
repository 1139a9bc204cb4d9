package dev.strata.storage.layer;

import dev.strata.storage.StorageException;
import dev.strata.storage.io.ScratchFile;
import dev.strata.storage.io.WriteBehind;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.value.Value;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The layer ingest writes into: values appended to a scratch file ({@code ephemeral-N} in the timeline directory,
 * the concatenation of encoded {@link Value}s, never read after a restart) through a {@link ScratchFile}, whose
 * write system calls a background writer makes (ingest only copies each value into an in-memory chunk), and an
 * index in memory from key to its versions (LSN, file offset, length). The index is a hash table
 * ({@link VersionIndex}), not a sorted map: ingest appends one version per value and a hash lookup is far cheaper
 * than an ordered insert; the key order only the flush needs is produced once, when it reads a frozen layer.
 * Memory is bounded because {@link #estimatedSize()} counts the index too, and the timeline freezes the layer when
 * that reaches checkpoint_distance.
 *
 * <p>One writer thread puts; any number of readers search concurrently without locks: a version becomes visible
 * once its index entry is published, and its bytes are then either in the file or in a chunk that is never reused
 * (see {@link ScratchFile}). The flush waits until every chunk is in the file before it maps the file.
 *
 * <p>After {@link #freeze} the layer is immutable and covers {@code [lsnStart, lsnEnd)}; the flush writes it out
 * as an L0 delta (or image) layer and then {@link #closeAndDelete deletes} the scratch file.
 */
public final class InMemoryLayer implements Layer {
    /** Index memory per key: three longs and an int per slot, at a load factor down to one half. */
    private static final int KEY_OVERHEAD = 56;
    /** Index memory per version: one entry of three longs. */
    private static final int VERSION_OVERHEAD = 24;

    private final Path path;
    private final ScratchFile scratch;
    private final long lsnStart;
    private volatile long lsnEnd = Long.MAX_VALUE;
    private volatile long prevAtFreeze;
    private final VersionIndex index = new VersionIndex();
    private volatile boolean closed;
    // Writer-only state.
    private long indexBytes;
    private long maxLsn = -1;
    private boolean onlyImages = true;
    private final long createdNanos = System.nanoTime();

    public InMemoryLayer(Path path, long lsnStart) {
        this.path = path;
        this.lsnStart = lsnStart;
        this.scratch = new ScratchFile(path, WriteBehind.SHARED);
    }

    @Override
    public KeyRange keyRange() {
        return KeyRange.ALL;
    }

    @Override
    public long lsnStart() {
        return lsnStart;
    }

    /** Exclusive end; {@link Long#MAX_VALUE} while the layer is open. */
    @Override
    public long lsnEnd() {
        return lsnEnd;
    }

    public boolean isEmpty() {
        return index.size() == 0;
    }

    /** The highest LSN put so far, or -1. */
    public long maxLsn() {
        return maxLsn;
    }

    /** True when every value put is an image (so a flush at one LSN can become an image layer). */
    public boolean onlyImages() {
        return onlyImages;
    }

    public long createdNanos() {
        return createdNanos;
    }

    /** Bytes of the scratch file plus an estimate of the in-memory index. */
    public long estimatedSize() {
        return scratch.size() + indexBytes;
    }

    /** Appends a version (writer thread only). LSNs must not decrease; a repeated (key, LSN) replaces the value. */
    public void put(Key key, long lsn, Value v) {
        int len = v.encodedSize();
        long loc = append(v);
        if (index.add(key, lsn, loc, len)) {
            indexBytes += KEY_OVERHEAD;
        }
        indexBytes += VERSION_OVERHEAD;
        maxLsn = Math.max(maxLsn, lsn);
        onlyImages &= v.isImage();
    }

    private long append(Value v) {
        try {
            return scratch.append(v.kind(), (byte) (v.willInit() ? 1 : 0), v.payload());
        } catch (IOException e) {
            throw new StorageException("cannot write scratch file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes the layer immutable, covering {@code [lsnStart, endLsn)}; {@code prevRecordLsn} is the start of the
     * record ending at {@code endLsn - 1}, which the flush makes durable with it.
     */
    public void freeze(long endLsn, long prevRecordLsn) {
        this.prevAtFreeze = prevRecordLsn;
        this.lsnEnd = endLsn;
        try {
            scratch.seal(); // the last chunk's write starts now rather than when the flush gets to it
        } catch (IOException e) {
            throw new StorageException("cannot write scratch file " + path + ": " + e.getMessage(), e);
        }
    }

    /** The prev record LSN at the freeze point. */
    public long prevRecordLsnAtFreeze() {
        return prevAtFreeze;
    }

    @Override
    public LayerInfo info() {
        return new LayerInfo("inmem-" + path.getFileName(), "in-memory", Key.MIN, Key.MAX, lsnStart, lsnEnd,
                estimatedSize());
    }

    /** Adds the versions of the state's key in {@code [floorLsn, uptoLsn]}, newest first, until complete. */
    public void collect(ReconstructState st, long floorLsn, long uptoLsn) {
        Versions vs = index.versions();
        long seen = Long.MIN_VALUE;
        for (int e = index.head(st.key()); e != Versions.NONE; e = vs.prev(e)) {
            long lsn = vs.lsn(e);
            if (lsn > uptoLsn) {
                continue;
            }
            if (lsn < floorLsn) {
                return;
            }
            if (lsn == seen) {
                continue; // an older value put at the same LSN, replaced by the one already taken
            }
            seen = lsn;
            long loc = vs.loc(e);
            st.add(lsn, decode(read(loc, vs.len(e)), loc));
            if (st.complete()) {
                return;
            }
        }
    }

    /**
     * Calls {@code out} with each key in {@code range} having a version at or below {@code lsn}, in no particular
     * order (a scan of the whole index: key listings are rare, ingest's lookups are not).
     */
    public void forEachKey(KeyRange range, long lsn, Consumer<Key> out) {
        Versions vs = index.versions();
        index.forEach((key, head) -> {
            if (range.contains(key)) {
                for (int e = head; e != Versions.NONE; e = vs.prev(e)) {
                    if (vs.lsn(e) <= lsn) {
                        out.accept(key);
                        return;
                    }
                }
            }
        });
    }

    /** Receives a frozen layer's versions in (key, LSN) order. */
    public interface VersionSink {
        void accept(Key key, byte[] keyBytes, long lsn, byte[] encodedValue);
    }

    /**
     * Calls {@code sink} with every version below {@link #lsnEnd()} in (key, LSN) order, keeping only the last value
     * put at each (key, LSN). Reads the scratch file through a read-only mapping: the flush reads values in key
     * order, which is random in the file.
     */
    public void forEachVersion(VersionSink sink) {
        try {
            scratch.awaitWritten();
        } catch (IOException e) {
            throw new StorageException("cannot write scratch file " + path + ": " + e.getMessage(), e);
        }
        if (scratch.size() == 0) {
            return;
        }
        List<KeyVersions> sorted = new ArrayList<>(index.size());
        index.forEach((key, head) -> sorted.add(new KeyVersions(key, head)));
        sorted.sort(null);
        Versions vs = index.versions();
        int[] chain = new int[16];
        try (ScratchMapping map = new ScratchMapping(scratch.channel(), scratch.end())) {
            for (KeyVersions kv : sorted) {
                int n = 0;
                for (int e = kv.head(); e != Versions.NONE; e = vs.prev(e)) {
                    if (n == chain.length) {
                        chain = java.util.Arrays.copyOf(chain, n * 2);
                    }
                    chain[n++] = e;
                }
                Key key = kv.key();
                byte[] keyBytes = key.toBytes();
                // chain[] is newest first; walk it oldest first, keeping the last value put at each LSN
                for (int j = n - 1; j >= 0; j--) {
                    int e = chain[j];
                    long lsn = vs.lsn(e);
                    if (lsn >= lsnEnd || (j > 0 && vs.lsn(chain[j - 1]) == lsn)) {
                        continue;
                    }
                    sink.accept(key, keyBytes, lsn, map.read(vs.loc(e), vs.len(e)));
                }
            }
        }
    }

    private byte[] read(long loc, int len) {
        try {
            return scratch.read(loc, len);
        } catch (ClosedChannelException e) {
            throw new LayerRetiredException(path.getFileName().toString());
        } catch (IOException e) {
            throw new StorageException("cannot read scratch file " + path + " at offset " + loc + ": "
                    + e.getMessage(), e);
        }
    }

    private Value decode(byte[] raw, long loc) {
        try {
            return Value.decode(raw, 0, raw.length);
        } catch (IllegalArgumentException e) {
            throw new StorageException("scratch file " + path + " at offset " + loc + ": " + e.getMessage(), e);
        }
    }

    /** Releases and deletes the scratch file; readers still holding the layer get {@link LayerRetiredException}. */
    public void closeAndDelete() {
        closed = true;
        try {
            scratch.closeAndDelete();
        } catch (IOException e) {
            // The next start deletes leftover scratch files.
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "in-memory " + path.getFileName() + " [" + lsnStart + ", " + (lsnEnd == Long.MAX_VALUE ? "open"
                : lsnEnd) + ")";
    }

    /** A key and its newest entry, ordered by key (the flush's order). */
    private record KeyVersions(Key key, int head) implements Comparable<KeyVersions> {
        @Override
        public int compareTo(KeyVersions o) {
            return key.compareTo(o.key);
        }
    }

    /** Read-only mappings of the scratch file in 1 GiB segments, for the flush's key-ordered pass. */
    private static final class ScratchMapping implements AutoCloseable {
        private static final long SEGMENT = 1L << 30;
        private final MappedByteBuffer[] segments;

        ScratchMapping(FileChannel ch, long size) {
            int n = (int) ((size + SEGMENT - 1) / SEGMENT);
            segments = new MappedByteBuffer[n];
            try {
                for (int i = 0; i < n; i++) {
                    long start = i * SEGMENT;
                    segments[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, Math.min(SEGMENT, size - start));
                }
            } catch (IOException e) {
                throw new StorageException("cannot map scratch file: " + e.getMessage(), e);
            }
        }

        byte[] read(long loc, int len) {
            byte[] out = new byte[len];
            int done = 0;
            while (done < len) {
                long at = loc + done;
                MappedByteBuffer seg = segments[(int) (at / SEGMENT)];
                int inSeg = (int) (at % SEGMENT);
                int n = Math.min(len - done, seg.capacity() - inSeg);
                seg.get(inSeg, out, done, n);
                done += n;
            }
            return out;
        }

        @Override
        public void close() {
            // Unmapped now rather than whenever the garbage collector gets to it: flushes would otherwise pile
            // up mappings of deleted files. Nothing else can touch these buffers.
            for (MappedByteBuffer m : segments) {
                Unmapper.unmap(m);
            }
            java.util.Arrays.fill(segments, null);
        }
    }
}
