package dev.strata.storage.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A set of unsigned 32-bit numbers with the encoding shared by {@link SlruDirectory} and
 * {@link TwoPhaseDirectory}: {@code u8 version 1, u32 count, count x u32} (little-endian, ascending unsigned order).
 */
class U32Set {
    static final int VERSION = 1;

    /** Values as unsigned longs so that TreeSet order is unsigned order. */
    private final TreeSet<Long> values = new TreeSet<>();
    private final String what;

    U32Set(String what) {
        this.what = what;
    }

    public boolean contains(int v) {
        return values.contains(Integer.toUnsignedLong(v));
    }

    /** Returns true when {@code v} was not there. */
    public boolean add(int v) {
        return values.add(Integer.toUnsignedLong(v));
    }

    /** Returns true when {@code v} was there. */
    public boolean remove(int v) {
        return values.remove(Integer.toUnsignedLong(v));
    }

    public int size() {
        return values.size();
    }

    /** The values in ascending unsigned order. */
    public List<Integer> values() {
        List<Integer> out = new ArrayList<>(values.size());
        for (long v : values) {
            out.add((int) v);
        }
        return out;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(5 + 4 * values.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION).putInt(values.size());
        for (long v : values) {
            b.putInt((int) v);
        }
        return b.array();
    }

    void decodeInto(byte[] bytes) {
        ByteBuffer b = DirectoryCodec.open(bytes, VERSION, 4, what);
        int count = b.getInt();
        for (int i = 0; i < count; i++) {
            values.add(Integer.toUnsignedLong(b.getInt()));
        }
    }
}
