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
 * <p>Tails are kept in memory instead of being written to the scratch file while the engine's {@link TailPool}
 * has buffers to spare. Each tail covers its own 64 KiB slot of offsets (tail k starts at offset k * 64 KiB, its
 * unused end is a gap; a value larger than a tail takes whole slots of its own and goes to the file), so a value's
 * offset names the slot that holds it; a slot's buffer is in memory or its bytes are at the same offset in the
 * file.
 *
 * <p>One writer thread puts; any number of readers search concurrently without locks: a version becomes visible
 * once its index entry is published, and its bytes are then either in the file or in a tail buffer that is not
 * reused while the layer is open (a full tail is kept or written out, and replaced by a new one). Buffers go back to
 * the pool when the layer is closed; a reader that copied from one then finds the layer closed and retries, as it
 * does when the scratch file is closed under it.
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
    /** Per 64 KiB slot of offsets, its tail buffer when kept in memory, else null (grown by copying). */
    private volatile byte[][] slots = new byte[16][];
    private final TailPool pool;
    private volatile boolean closed;
    // Writer-only state. fileEnd: the end of what was written to the scratch file; valueBytes: the bytes of the
    // values put.
    private int tailFill;
    private long fileEnd;
    private long valueBytes;
    private long indexBytes;
    private long maxLsn = -1;
    private boolean onlyImages = true;
    private final long createdNanos = System.nanoTime();

    /** A layer that writes every tail to its scratch file. */
    public InMemoryLayer(Path path, long lsnStart) {
        this(path, lsnStart, TailPool.NONE);
    }

    /** A layer that keeps tails in buffers from {@code pool} while it has some. */
    public InMemoryLayer(Path path, long lsnStart, TailPool pool) {
        this.path = path;
        this.lsnStart = lsnStart;
        this.pool = pool;
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

    /** Bytes of the values put (in the scratch file or in memory) plus an estimate of the in-memory index. */
    public long estimatedSize() {
        return valueBytes + indexBytes;
    }

    /** Appends a version (writer thread only). LSNs must not decrease; a repeated (key, LSN) replaces the value. */
    public void put(Key key, long lsn, Value v) {
        int len = v.encodedSize();
        long loc = append(v, len);
        valueBytes += len;
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
            long base = retire(t);
            if (len > TAIL_SIZE) {
                writeOut(v.encode(), len, base);
                fileEnd = base + len;
                base += (len + TAIL_SIZE - 1) / TAIL_SIZE * TAIL_SIZE;
            }
            t = newTail(base);
        }
        long loc = t.base + tailFill;
        t.buf[tailFill] = v.kind();
        t.buf[tailFill + 1] = (byte) (v.willInit() ? 1 : 0);
        System.arraycopy(v.payload(), 0, t.buf, tailFill + 2, len - 2);
        tailFill += len;
        return loc;
    }

    /**
     * Ends a tail: a kept one stays in its slot, another one is written out (none at first). Returns the offset
     * of the next slot.
     */
    private long retire(Tail t) {
        if (t.buf.length == 0) {
            return t.base;
        }
        if (!t.kept && tailFill > 0) {
            writeOut(t.buf, tailFill, t.base);
            fileEnd = t.base + tailFill;
        }
        tailFill = 0;
        return t.base + TAIL_SIZE;
    }

    /** Starts a tail at {@code base} in a pooled buffer (put in its slot first) or in a new one. */
    private Tail newTail(long base) {
        byte[] b = pool.take();
        int slot = (int) (base / TAIL_SIZE);
        if (b != null) {
            byte[][] sl = slots;
            if (slot >= sl.length) {
                sl = java.util.Arrays.copyOf(sl, Math.max(sl.length * 2, slot + 1));
            }
            sl[slot] = b;
            slots = sl; // published before the tail, so a reader that finds the tail's values finds the slot
        }
        Tail t = new Tail(base, b != null ? b : new byte[TAIL_SIZE], b != null);
        tail = t;
        return t;
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
        if (index.size() == 0) {
            return;
        }
        SortedVersions sv = sortedVersions();
        byte[][] sl = slots;
        try (ScratchMapping map = new ScratchMapping(ch, fileEnd, sl)) {
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

    /** Writes out the last tail unless it is kept; after the freeze only. */
    private void flushTailForMapping() {
        Tail t = tail;
        if (tailFill > 0 && !t.kept) {
            writeOut(t.buf, tailFill, t.base);
            fileEnd = t.base + tailFill;
        }
    }

    private byte[] read(long loc, int len) {
        Tail t = tail;
        byte[] out = new byte[len];
        if (loc >= t.base) {
            System.arraycopy(t.buf, (int) (loc - t.base), out, 0, len);
            return checkedOpen(out);
        }
        byte[] kept = keptBuffer(slots, loc);
        if (kept != null) {
            System.arraycopy(kept, (int) (loc % TAIL_SIZE), out, 0, len);
            return checkedOpen(out);
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

    /** The buffer kept in memory for the slot holding offset {@code loc}, or null when its bytes are in the file. */
    private static byte[] keptBuffer(byte[][] slots, long loc) {
        int slot = (int) (loc / TAIL_SIZE);
        return slot < slots.length ? slots[slot] : null;
    }

    /**
     * Returns bytes copied from a tail buffer, unless the layer was closed meanwhile: its buffers may then have gone
     * back to the pool and been overwritten, and the reader retries on the layers that replaced this one.
     */
    private byte[] checkedOpen(byte[] copied) {
        java.lang.invoke.VarHandle.acquireFence(); // the copy's loads before the read of closed
        if (closed) {
            throw new LayerRetiredException(path.getFileName().toString());
        }
        return copied;
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
        byte[][] sl = slots;
        slots = new byte[0][];
        for (byte[] b : sl) {
            if (b != null) {
                pool.give(b);
            }
        }
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

    /** A tail buffer, the offset of its first byte and whether it is kept in memory (a pooled buffer). */
    private record Tail(long base, byte[] buf, boolean kept) {
        Tail(long base, byte[] buf) {
            this(base, buf, false);
        }
    }

    /** Read-only mappings of the scratch file in 1 GiB segments, for the flush's key-ordered pass. */
    private static final class ScratchMapping implements AutoCloseable {
        private static final long SEGMENT = 1L << 30;
        private final MappedByteBuffer[] segments;

        /** Tail buffers kept in memory, by slot; their values are read from here instead of the file. */
        private final byte[][] kept;

        ScratchMapping(FileChannel ch, long size, byte[][] kept) {
            this.kept = kept;
            int n = ch == null ? 0 : (int) ((size + SEGMENT - 1) / SEGMENT);
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
            byte[] buf = keptBuffer(kept, loc);
            if (buf != null) {
                int at = (int) (loc % TAIL_SIZE);
                return java.util.Arrays.copyOfRange(buf, at, at + len);
            }
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
