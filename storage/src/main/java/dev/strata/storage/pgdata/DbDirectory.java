package dev.strata.storage.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The set of databases of a data directory (the value under {@link dev.strata.storage.key.Key#dbDir()}): which
 * {@code (tablespace, database)} pairs exist and whether each has a {@code pg_filenode.map}. The shared catalogs
 * are the pseudo-database {@code (1664, 0)} ("global").
 *
 * <p>Encoding (little-endian), entries sorted by (spcNode, dbNode) as unsigned integers, no duplicates:
 * <pre>
 * u8  version       1
 * u32 count
 * count x {
 *   u32 spcNode     tablespace OID (1663 pg_default, 1664 pg_global, or a user tablespace)
 *   u32 dbNode      database OID (0 for global)
 *   u8  hasRelmap   1 when a pg_filenode.map is stored for the database, else 0
 * }
 * </pre>
 *
 * Not thread-safe: the ingest thread owns its copy; readers decode their own.
 */
public final class DbDirectory {
    static final int VERSION = 1;
    private static final int ENTRY_SIZE = 9;

    private final TreeMap<Long, Boolean> entries = new TreeMap<>();

    /** An empty directory. */
    public DbDirectory() {
    }

    private static long key(int spc, int db) {
        return (Integer.toUnsignedLong(spc) << 32) | Integer.toUnsignedLong(db);
    }

    public boolean contains(int spc, int db) {
        return entries.containsKey(key(spc, db));
    }

    public boolean hasRelmap(int spc, int db) {
        return Boolean.TRUE.equals(entries.get(key(spc, db)));
    }

    /** Adds the database (or updates its relmap flag); returns true when anything changed. */
    public boolean put(int spc, int db, boolean hasRelmap) {
        Boolean old = entries.put(key(spc, db), hasRelmap);
        return old == null || old != hasRelmap;
    }

    /** Removes the database; returns true when it was present. */
    public boolean remove(int spc, int db) {
        return entries.remove(key(spc, db)) != null;
    }

    /** Every database, sorted by (spc, db). */
    public List<DatadirView.Database> databases() {
        List<DatadirView.Database> out = new ArrayList<>(entries.size());
        for (Long k : entries.keySet()) {
            out.add(new DatadirView.Database((int) (k >>> 32), (int) (long) k));
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(5 + ENTRY_SIZE * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION).putInt(entries.size());
        for (Map.Entry<Long, Boolean> e : entries.entrySet()) {
            b.putInt((int) (e.getKey() >>> 32)).putInt((int) (long) e.getKey()).put((byte) (e.getValue() ? 1 : 0));
        }
        return b.array();
    }

    /**
     * @throws IllegalArgumentException naming the problem when the bytes are not a database directory
     */
    public static DbDirectory decode(byte[] bytes) {
        ByteBuffer b = DirectoryCodec.open(bytes, VERSION, ENTRY_SIZE, "database directory");
        int count = b.getInt();
        DbDirectory dir = new DbDirectory();
        for (int i = 0; i < count; i++) {
            int spc = b.getInt();
            int db = b.getInt();
            byte flag = b.get();
            if (flag != 0 && flag != 1) {
                throw new IllegalArgumentException("database directory entry " + i + " has relmap flag " + flag
                        + " (expected 0 or 1)");
            }
            dir.entries.put(key(spc, db), flag == 1);
        }
        return dir;
    }
}
