package dev.strata.storage.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * PostgreSQL 15's {@code global/pg_control}: the 296-byte {@code ControlFileData} struct zero-padded to 8192 bytes.
 * Strata stores the file as imported under {@link dev.strata.storage.key.Key#controlFile()} and updates the
 * server parameters from {@code XLOG_PARAMETER_CHANGE} records.
 *
 * <p>The fields this class reads or writes (x86-64, little-endian):
 * <pre>
 * off size field
 *   0   8  system_identifier
 *   8   4  pg_control_version       1300
 *  12   4  catalog_version_no       202209061
 *  16   4  state                    DBState
 *  32   8  checkPoint               LSN of the latest checkpoint record
 *  40  88  checkPointCopy           {@link CheckPointData}
 * 172   4  wal_level                0 minimal, 1 replica, 2 logical
 * 176   1  wal_log_hints
 * 180   4  MaxConnections
 * 184   4  max_worker_processes
 * 188   4  max_wal_senders
 * 192   4  max_prepared_xacts
 * 196   4  max_locks_per_xact
 * 200   1  track_commit_timestamp
 * 216   4  blcksz                   8192
 * 224   4  xlog_blcksz              8192
 * 228   4  xlog_seg_size
 * 252   4  data_checksum_version    0 off, 1 on
 * 288   4  crc                      CRC-32C over bytes [0, 288)
 * </pre>
 */
public final class ControlFileData {
    public static final int FILE_SIZE = 8192;
    public static final int PG_CONTROL_VERSION = 1300;
    public static final int CATALOG_VERSION_NO = 202209061;
    private static final int CRC_OFFSET = 288;

    private final byte[] bytes;
    private final ByteBuffer b;

    private ControlFileData(byte[] bytes) {
        this.bytes = bytes;
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Parses a pg_control file (a copy is kept) and checks that it is a PostgreSQL 15 control file with 8 KB pages
     * and a correct CRC.
     *
     * @param where names the source in errors (a file path, a key and LSN)
     * @throws IllegalArgumentException naming {@code where} and the failed check
     */
    public static ControlFileData parse(byte[] file, String where) {
        if (file.length < CRC_OFFSET + 4) {
            throw new IllegalArgumentException(where + ": pg_control of " + file.length + " bytes is too short");
        }
        byte[] copy = new byte[FILE_SIZE];
        System.arraycopy(file, 0, copy, 0, Math.min(file.length, FILE_SIZE));
        ControlFileData c = new ControlFileData(copy);
        c.check(where);
        return c;
    }

    private void check(String where) {
        if (pgControlVersion() != PG_CONTROL_VERSION) {
            throw new IllegalArgumentException(where + ": pg_control_version is " + pgControlVersion() + ", expected "
                    + PG_CONTROL_VERSION + " (PostgreSQL 15)");
        }
        if (computeCrc() != b.getInt(CRC_OFFSET)) {
            throw new IllegalArgumentException(where + ": pg_control CRC mismatch (stored "
                    + Integer.toHexString(b.getInt(CRC_OFFSET)) + ", computed " + Integer.toHexString(computeCrc())
                    + ")");
        }
        if (b.getInt(216) != 8192 || b.getInt(224) != 8192) {
            throw new IllegalArgumentException(where + ": blcksz " + b.getInt(216) + " / xlog_blcksz "
                    + b.getInt(224) + "; Strata supports 8192-byte pages only");
        }
    }

    private int computeCrc() {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_OFFSET);
        return (int) crc.getValue();
    }

    /** The 8192-byte file with a freshly computed CRC. */
    public byte[] encode() {
        b.putInt(CRC_OFFSET, computeCrc());
        return bytes.clone();
    }

    public long systemIdentifier() {
        return b.getLong(0);
    }

    public int pgControlVersion() {
        return b.getInt(8);
    }

    public int catalogVersionNo() {
        return b.getInt(12);
    }

    public int state() {
        return b.getInt(16);
    }

    public long checkPoint() {
        return b.getLong(32);
    }

    public CheckPointData checkPointCopy() {
        return CheckPointData.decode(bytes, 40);
    }

    public int walLevel() {
        return b.getInt(172);
    }

    public int xlogSegSize() {
        return b.getInt(228);
    }

    public int dataChecksumVersion() {
        return b.getInt(252);
    }

    public int maxConnections() {
        return b.getInt(180);
    }

    /**
     * Applies an {@code xl_parameter_change} (the main data of XLOG_PARAMETER_CHANGE, 26 bytes: MaxConnections,
     * max_worker_processes, max_wal_senders, max_prepared_xacts, max_locks_per_xact, wal_level as int32, then
     * wal_log_hints and track_commit_timestamp as bool), as PostgreSQL's redo does to its control file.
     *
     * @throws IllegalArgumentException when the data is shorter than 26 bytes
     */
    public void applyParameterChange(ByteBuffer data) {
        if (data.remaining() < 26) {
            throw new IllegalArgumentException("XLOG_PARAMETER_CHANGE data of " + data.remaining()
                    + " bytes is shorter than 26");
        }
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(180, d.getInt());
        b.putInt(184, d.getInt());
        b.putInt(188, d.getInt());
        b.putInt(192, d.getInt());
        b.putInt(196, d.getInt());
        b.putInt(172, d.getInt());
        b.put(176, d.get());
        b.put(200, d.get());
    }
}
