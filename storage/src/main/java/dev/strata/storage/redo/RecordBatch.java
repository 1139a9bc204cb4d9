package dev.strata.storage.redo;

import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The records a read gathered for one key, flat: their payloads back to back in one growing byte array, and per
 * record its LSN, kind ({@link Value#PG_RECORD} or {@link Value#STRATA_RECORD}), will-init flag, and the offset and
 * length of its payload in {@link #buffer()}. Record 0 is the NEWEST (the order in which the read walks the layers
 * down); {@link PageRedo} applies them from index {@code size() - 1} down to 0.
 *
 * <p>A batch exists so that a read costs no object per record: the layers copy each payload straight into the
 * shared buffer. It is reused by {@link #clear()}, by one thread at a time; a payload's bytes are valid until then.
 */
public final class RecordBatch {
    private byte[] buf = new byte[4096];
    private int used;
    private int count;
    private long[] lsns = new long[16];
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private byte[] kinds = new byte[16];
    private boolean[] willInits = new boolean[16];

    /** Forgets every record, keeping the arrays for the next read. */
    public void clear() {
        used = 0;
        count = 0;
    }

    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /**
     * Makes room for {@code n} more records, to be written at indexes {@code size() .. size() + n - 1} by
     * {@link #put} in any order, and returns the first of those indexes.
     */
    public int reserve(int n) {
        int need = count + n;
        if (need > lsns.length) {
            int cap = Math.max(need, 2 * lsns.length);
            lsns = Arrays.copyOf(lsns, cap);
            offsets = Arrays.copyOf(offsets, cap);
            lengths = Arrays.copyOf(lengths, cap);
            kinds = Arrays.copyOf(kinds, cap);
            willInits = Arrays.copyOf(willInits, cap);
        }
        int first = count;
        count = need;
        return first;
    }

    /**
     * Describes record {@code index} (reserved before) and allocates {@code len} payload bytes for it at the end of
     * the buffer; the caller writes them at the returned offset of {@link #buffer()}, which this call may replace.
     */
    public int put(int index, long lsn, byte kind, boolean willInit, int len) {
        if (used + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(used + len, 2 * buf.length));
        }
        int at = used;
        used += len;
        lsns[index] = lsn;
        offsets[index] = at;
        lengths[index] = len;
        kinds[index] = kind;
        willInits[index] = willInit;
        return at;
    }

    /** Appends a record (the next older one) whose payload is {@code len} bytes of {@code src} at {@code off}. */
    public void add(long lsn, byte kind, boolean willInit, byte[] src, int off, int len) {
        int at = put(reserve(1), lsn, kind, willInit, len);
        System.arraycopy(src, off, buf, at, len);
    }

    /**
     * Reverses the order of the last {@code m} records (their payload bytes stay where they are): a layer that reads
     * a run of versions oldest first, in address order, appends them so and then turns them newest first.
     */
    public void reverseLast(int m) {
        for (int a = count - m, b = count - 1; a < b; a++, b--) {
            swap(a, b);
        }
    }

    private void swap(int a, int b) {
        long l = lsns[a];
        lsns[a] = lsns[b];
        lsns[b] = l;
        int o = offsets[a];
        offsets[a] = offsets[b];
        offsets[b] = o;
        int n = lengths[a];
        lengths[a] = lengths[b];
        lengths[b] = n;
        byte k = kinds[a];
        kinds[a] = kinds[b];
        kinds[b] = k;
        boolean w = willInits[a];
        willInits[a] = willInits[b];
        willInits[b] = w;
    }

    /** How many payload bytes the batch holds room for (a reader drops an outsized batch rather than keep it). */
    public int capacity() {
        return buf.length;
    }

    /** The shared payload buffer; valid until the next {@link #put}, {@link #add} or {@link #clear}. */
    public byte[] buffer() {
        return buf;
    }

    public long lsn(int i) {
        return lsns[check(i)];
    }

    public byte kind(int i) {
        return kinds[check(i)];
    }

    public boolean willInit(int i) {
        return willInits[check(i)];
    }

    public int offset(int i) {
        return offsets[check(i)];
    }

    public int length(int i) {
        return lengths[check(i)];
    }

    /** A copy of record {@code i}'s payload. */
    public byte[] payload(int i) {
        int o = offset(i);
        return Arrays.copyOfRange(buf, o, o + lengths[i]);
    }

    /** Record {@code i} as a value of its own (its payload copied). */
    public Value value(int i) {
        byte[] p = payload(i);
        return switch (kinds[i]) {
            case Value.PG_RECORD -> Value.pgRecord(p, willInits[i]);
            case Value.STRATA_RECORD -> Value.strataRecord(p, willInits[i]);
            case Value.IMAGE -> Value.image(p);
            default -> throw new IllegalStateException("record " + i + " has unknown kind " + kinds[i]);
        };
    }

    /** The records as objects, oldest first (the form {@link PageRedo#reconstruct} takes); payloads copied. */
    public List<VersionedValue> toListOldestFirst() {
        List<VersionedValue> out = new ArrayList<>(count);
        for (int i = count - 1; i >= 0; i--) {
            out.add(new VersionedValue(lsns[i], value(i)));
        }
        return out;
    }

    /** The records as objects, newest first; payloads copied. */
    public List<VersionedValue> toListNewestFirst() {
        List<VersionedValue> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new VersionedValue(lsns[i], value(i)));
        }
        return out;
    }

    private int check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("record " + i + " of " + count);
        }
        return i;
    }
}
