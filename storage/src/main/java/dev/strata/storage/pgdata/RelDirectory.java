package dev.strata.storage.pgdata;

import dev.strata.storage.pg.RelTag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The relation forks of one database (the value under {@link dev.strata.storage.key.Key#relDir(int, int)}).
 *
 * <p>Encoding (little-endian), entries sorted by (relNode unsigned, forkNum), no duplicates:
 * <pre>
 * u8  version       1
 * u32 count
 * count x {
 *   u32 relNode     relfilenode
 *   u8  forkNum     0 main, 1 fsm, 2 vm, 3 init
 * }
 * </pre>
 *
 * Not thread-safe.
 */
public final class RelDirectory {
    static final int VERSION = 1;
    private static final int ENTRY_SIZE = 5;

    /** (relNode unsigned << 8) | fork, so that the natural order is the RelTag order. */
    private final TreeSet<Long> entries = new TreeSet<>();

    public RelDirectory() {
    }

    private static long key(int relNode, int fork) {
        return (Integer.toUnsignedLong(relNode) << 8) | fork;
    }

    public boolean contains(int relNode, int fork) {
        return entries.contains(key(relNode, fork));
    }

    /** Returns true when the fork was not there before. */
    public boolean add(int relNode, int fork) {
        return entries.add(key(relNode, fork));
    }

    /** Returns true when the fork was there. */
    public boolean remove(int relNode, int fork) {
        return entries.remove(key(relNode, fork));
    }

    public int size() {
        return entries.size();
    }

    /** The forks as RelTags of database {@code (spc, db)}, in RelTag order. */
    public List<RelTag> relations(int spc, int db) {
        List<RelTag> out = new ArrayList<>(entries.size());
        for (long k : entries) {
            out.add(new RelTag(spc, db, (int) (k >>> 8), (int) (k & 0xFF)));
        }
        return out;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(5 + ENTRY_SIZE * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION).putInt(entries.size());
        for (long k : entries) {
            b.putInt((int) (k >>> 8)).put((byte) (k & 0xFF));
        }
        return b.array();
    }

    /**
     * @throws IllegalArgumentException naming the problem when the bytes are not a relation directory
     */
    public static RelDirectory decode(byte[] bytes) {
        ByteBuffer b = DirectoryCodec.open(bytes, VERSION, ENTRY_SIZE, "relation directory");
        int count = b.getInt();
        RelDirectory dir = new RelDirectory();
        for (int i = 0; i < count; i++) {
            int rel = b.getInt();
            int fork = b.get() & 0xFF;
            if (fork > RelTag.INIT_FORKNUM) {
                throw new IllegalArgumentException("relation directory entry " + i + " (relfilenode "
                        + Integer.toUnsignedString(rel) + ") has fork " + fork + " (expected 0..3)");
            }
            dir.entries.add(key(rel, fork));
        }
        return dir;
    }
}
