package dev.strata.storage.layer;

import dev.strata.storage.StorageException;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.value.Value;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The layer ingest writes into: values appended to a scratch file ({@code ephemeral-N} in the timeline directory,
 * the raw concatenation of encoded {@link Value}s, never read after a restart) behind a 64 KiB tail buffer, and an
 * index in memory from key to its versions (LSN, file offset, length). The index is a hash table
 * ({@link VersionIndex}), not a sorted map: ingest appends one version per value and a hash lookup is far cheaper
 * than an ordered insert; the key order only the flush needs is produced once, when it reads a frozen layer.
 * Memory is bounded because {@link #estimatedSize()} counts the index too, and the timeline freezes the layer when
 * that reaches checkpoint_distance.
 *
 * <p>One writer thread puts; any number of readers search concurrently without locks: a version becomes visible
 * once its index entry is published, and its bytes are then either in the file or in a tail buffer that is never
 * reused (a full tail is written out and replaced by a new one).
 *
 * <p>After {@link #freeze} the layer is immutable and covers {@code [lsnStart, lsnEnd)}; the flush writes it out
 * as an L0 delta (or image) layer and then {@link #closeAndDelete deletes} the scratch file.
 */
public final class InMemoryLayer implements Layer {
    /** Index memory per key: three longs and an int per slot, at a load factor down to one half. */
    private static final int KEY_OVERHEAD = 56;
    /** Index memory per version: one entry of three longs. */
    private static final int VERSION_OVERHEAD = 24;

    static final int TAIL_SIZE = 64 << 10;

    private final Path path;
    private volatile FileChannel ch;
    private final long lsnStart;
    private volatile long lsnEnd = Long.MAX_VALUE;
    private volatile long prevAtFreeze;
    private final VersionIndex index = new VersionIndex();
    // The tail buffer and the scratch file come into being with the first value, so an idle timeline's open layer
    // holds neither memory nor a file descriptor.
    private volatile Tail tail = new Tail(0, new byte[0]);
    private volatile boolean closed;
    // Writer-only state.
    private int tailFill;
    private long fileBytes;
    private long indexBytes;
    private long maxLsn = -1;
    private boolean onlyImages = true;
    private final long createdNanos = System.nanoTime();

    public InMemoryLayer(Path path, long lsnStart) {
        this.path = path;
        this.lsnStart = lsnStart;
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
        return fileBytes + tailFill + indexBytes;
    }

    /** Appends a version (writer thread only). LSNs must not decrease; a repeated (key, LSN) replaces the value. */
    public void put(Key key, long lsn, Value v) {
        int len = v.encodedSize();
        long loc = append(v, len);
        if (index.add(key, lsn, loc, len)) {
            indexBytes += KEY_OVERHEAD;
        }
        indexBytes += VERSION_OVERHEAD;
        maxLsn = Math.max(maxLsn, lsn);
        onlyImages &= v.isImage();
    }

    private long append(Value v, int len) {
        Tail t = tail;
        if (tailFill + len > t.buf.length) {
            if (tailFill > 0) {
                writeOut(t.buf, tailFill, t.base);
            }
            long base = t.base + tailFill;
            tailFill = 0;
            if (len > TAIL_SIZE) {
                writeOut(v.encode(), len, base);
                tail = new Tail(base + len, new byte[TAIL_SIZE]);
                fileBytes = base + len;
                return base;
            }
            t = new Tail(base, new byte[TAIL_SIZE]);
            tail = t;
            fileBytes = base;
        }
        long loc = t.base + tailFill;
        t.buf[tailFill] = v.kind();
        t.buf[tailFill + 1] = (byte) (v.willInit() ? 1 : 0);
        System.arraycopy(v.payload(), 0, t.buf, tailFill + 2, len - 2);
        tailFill += len;
        return loc;
    }

    private void writeOut(byte[] buf, int len, long pos) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
        try {
            if (ch == null) {
                ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            }
            while (b.hasRemaining()) {
                ch.write(b, pos + b.position());
            }
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
        index.forEach((key, head, ordinal) -> {
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
        flushTailForMapping();
        if (fileBytes == 0) {
            return;
        }
        SortedVersions sv = sortedVersions();
        try (ScratchMapping map = new ScratchMapping(ch, fileBytes)) {
            for (int r = 0; r < sv.keys.length; r++) {
                Key key = sv.keys[r];
                byte[] keyBytes = key.toBytes();
                int end = sv.start[r + 1];
                for (int p = sv.start[r]; p < end; p++) {
                    long lsn = sv.lsns[p];
                    // keep only the last value put at each LSN
                    if (lsn >= lsnEnd || (p + 1 < end && sv.lsns[p + 1] == lsn)) {
                        continue;
                    }
                    sink.accept(key, keyBytes, lsn, map.read(sv.locs[p], sv.lens[p]));
                }
            }
        }
    }

    /**
     * Every version grouped by key in key order, each key's in put (LSN-ascending) order: keys sorted once, then a
     * counting sort of the entries by their key's rank, in two sequential passes over the entries (walking each
     * key's chain instead would be one dependent cache miss per version).
     */
    private SortedVersions sortedVersions() {
        int nk = index.size();
        KeyVersions[] byKey = new KeyVersions[nk];
        index.forEach((key, head, ordinal) -> byKey[ordinal] = new KeyVersions(key, ordinal));
        KeyVersions[] sorted = byKey.clone();
        java.util.Arrays.sort(sorted);
        int[] rankOf = new int[nk];
        Key[] keys = new Key[nk];
        for (int r = 0; r < nk; r++) {
            rankOf[sorted[r].ordinal()] = r;
            keys[r] = sorted[r].key();
        }
        Versions vs = index.versions();
        int ne = vs.count();
        int[] start = new int[nk + 1];
        for (int e = 0; e < ne; e++) {
            start[rankOf[vs.ordinal(e)] + 1]++;
        }
        for (int r = 0; r < nk; r++) {
            start[r + 1] += start[r];
        }
        int[] fill = java.util.Arrays.copyOf(start, nk);
        long[] lsns = new long[ne];
        long[] locs = new long[ne];
        int[] lens = new int[ne];
        for (int e = 0; e < ne; e++) {
            int p = fill[rankOf[vs.ordinal(e)]]++;
            lsns[p] = vs.lsn(e);
            locs[p] = vs.loc(e);
            lens[p] = vs.len(e);
        }
        return new SortedVersions(keys, start, lsns, locs, lens);
    }

    /** Keys in order; key r's versions are at [start[r], start[r + 1]) of the three arrays, LSN-ascending. */
    private record SortedVersions(Key[] keys, int[] start, long[] lsns, long[] locs, int[] lens) {
    }

    private void flushTailForMapping() {
        if (tailFill > 0) {
            Tail t = tail;
            writeOut(t.buf, tailFill, t.base);
            fileBytes = t.base + tailFill;
            tail = new Tail(fileBytes, new byte[0]);
            tailFill = 0;
        }
    }

    private byte[] read(long loc, int len) {
        Tail t = tail;
        byte[] out = new byte[len];
        if (loc >= t.base) {
            System.arraycopy(t.buf, (int) (loc - t.base), out, 0, len);
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(out);
        try {
            while (b.hasRemaining()) {
                if (ch.read(b, loc + b.position()) < 0) {
                    throw new StorageException("scratch file " + path + " ends before offset " + (loc + len));
                }
            }
        } catch (ClosedChannelException e) {
            throw new LayerRetiredException(path.getFileName().toString());
        } catch (IOException e) {
            throw new StorageException("cannot read scratch file " + path + " at offset " + loc + ": "
                    + e.getMessage(), e);
        }
        return out;
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
            FileChannel c = ch;
            if (c != null) {
                c.close();
            }
            Files.deleteIfExists(path);
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

    /** A key and its ordinal, ordered by key (the flush's order). */
    private record KeyVersions(Key key, int ordinal) implements Comparable<KeyVersions> {
        @Override
        public int compareTo(KeyVersions o) {
            return key.compareTo(o.key);
        }
    }

    /** A tail buffer and the file offset of its first byte. */
    private record Tail(long base, byte[] buf) {
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
