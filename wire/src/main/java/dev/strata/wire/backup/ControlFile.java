package dev.strata.wire.backup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * {@code global/pg_control} of PostgreSQL 15 (x86-64): the 296-byte {@code ControlFileData} struct, little-endian,
 * zero-padded to an 8192-byte file.
 *
 * <pre>
 * off size field                      off size field
 *   0   8  system_identifier          184   4  max_worker_processes
 *   8   4  pg_control_version (1300)  188   4  max_wal_senders
 *  12   4  catalog_version_no         192   4  max_prepared_xacts
 *          (202209061)                196   4  max_locks_per_xact
 *  16   4  state (DBState)            200   1  track_commit_timestamp
 *  24   8  time (pg_time_t seconds)   204   4  maxAlign (8)
 *  32   8  checkPoint (record LSN)    208   8  floatFormat (double 1234567.0)
 *  40  88  checkPointCopy             216   4  blcksz (8192)
 *          ({@link CheckPoint})      220   4  relseg_size (131072)
 * 128   8  unloggedLSN                224   4  xlog_blcksz (8192)
 * 136   8  minRecoveryPoint           228   4  xlog_seg_size (power of two, 1 MiB..1 GiB)
 * 144   4  minRecoveryPointTLI        232   4  nameDataLen (64)
 * 152   8  backupStartPoint           236   4  indexMaxKeys (32)
 * 160   8  backupEndPoint             240   4  toast_max_chunk_size (1996)
 * 168   1  backupEndRequired          244   4  loblksize (2048)
 * 172   4  wal_level                  248   1  float8ByVal (1)
 * 176   1  wal_log_hints              252   4  data_checksum_version (0 off, 1 on)
 * 180   4  MaxConnections             256  32  mock_authentication_nonce
 *                                     288   4  crc: CRC-32C of bytes [0, 288)
 * </pre>
 *
 * Padding bytes (20-23, 148-151, 169-171, 177-179, 201-203, 249-251, 292-295) are covered by the CRC and written
 * as zeros. The server refuses a file whose version, CRC or compile-time constants differ from its own, so
 * {@link #parse} checks them all and names the field that is wrong.
 */
final class ControlFile {
    static final int FILE_SIZE = 8192;
    static final int STRUCT_SIZE = 296;
    static final int CRC_OFFSET = 288;
    static final int PG_CONTROL_VERSION = 1300;
    static final int CATALOG_VERSION_NO = 202209061;
    static final int RELSEG_SIZE = 131072;
    static final int BLCKSZ = 8192;

    static final int DB_SHUTDOWNED = 1;
    static final int DB_SHUTDOWNED_IN_RECOVERY = 2;

    static final int WAL_LEVEL_MINIMAL = 0;
    static final int WAL_LEVEL_REPLICA = 1;
    static final int WAL_LEVEL_LOGICAL = 2;

    private final ByteBuffer buf;

    private ControlFile(byte[] image) {
        this.buf = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Parses and checks a stored pg_control image (296 bytes or more; bytes past the struct are ignored).
     *
     * @param where what the image is, for messages (e.g. "of the timeline at 0/16B3748")
     */
    static ControlFile parse(byte[] image, String where) {
        if (image == null || image.length < STRUCT_SIZE) {
            throw new BackupException("the control file " + where + " is "
                    + (image == null ? "missing" : "only " + image.length + " bytes")
                    + "; PostgreSQL 15's ControlFileData is " + STRUCT_SIZE + " bytes");
        }
        byte[] copy = new byte[FILE_SIZE];
        System.arraycopy(image, 0, copy, 0, STRUCT_SIZE);
        ControlFile cf = new ControlFile(copy);
        int stored = cf.buf.getInt(CRC_OFFSET);
        int computed = crc(copy);
        if (stored != computed) {
            throw new BackupException(String.format("the control file %s has a bad CRC: stored %08X, computed %08X "
                    + "over bytes [0, %d)", where, stored, computed, CRC_OFFSET));
        }
        cf.expect(8, PG_CONTROL_VERSION, "pg_control_version", where);
        cf.expect(12, CATALOG_VERSION_NO, "catalog_version_no", where);
        cf.expect(204, 8, "maxAlign", where);
        cf.expect(216, BLCKSZ, "blcksz", where);
        cf.expect(220, RELSEG_SIZE, "relseg_size", where);
        cf.expect(224, BLCKSZ, "xlog_blcksz", where);
        cf.expect(232, 64, "nameDataLen", where);
        cf.expect(236, 32, "indexMaxKeys", where);
        cf.expect(240, 1996, "toast_max_chunk_size", where);
        cf.expect(244, 2048, "loblksize", where);
        if (cf.buf.getDouble(208) != 1234567.0 || cf.buf.get(248) != 1) {
            throw new BackupException("the control file " + where + " has floatFormat " + cf.buf.getDouble(208)
                    + " and float8ByVal " + cf.buf.get(248) + "; PostgreSQL 15 on x86-64 needs 1234567.0 and 1");
        }
        int seg = cf.walSegmentSize();
        if (Integer.bitCount(seg) != 1 || seg < (1 << 20) || seg > (1 << 30)) {
            throw new BackupException("the control file " + where + " has xlog_seg_size " + seg
                    + "; it must be a power of two from 1 MiB to 1 GiB");
        }
        return cf;
    }

    private void expect(int offset, int value, String field, String where) {
        int actual = buf.getInt(offset);
        if (actual != value) {
            throw new BackupException("the control file " + where + " has " + field + " " + actual
                    + " at offset " + offset + "; PostgreSQL 15 needs " + value);
        }
    }

    long systemIdentifier() {
        return buf.getLong(0);
    }

    int state() {
        return buf.getInt(16);
    }

    long checkPointLsn() {
        return buf.getLong(32);
    }

    CheckPoint checkPointCopy() {
        byte[] cp = new byte[CheckPoint.SIZE];
        buf.get(40, cp);
        return CheckPoint.parse(cp, "in pg_control");
    }

    long minRecoveryPoint() {
        return buf.getLong(136);
    }

    int walLevel() {
        return buf.getInt(172);
    }

    int maxConnections() {
        return buf.getInt(180);
    }

    int maxWorkerProcesses() {
        return buf.getInt(184);
    }

    int maxWalSenders() {
        return buf.getInt(188);
    }

    int maxPreparedXacts() {
        return buf.getInt(192);
    }

    int maxLocksPerXact() {
        return buf.getInt(196);
    }

    int walSegmentSize() {
        return buf.getInt(228);
    }

    int dataChecksumVersion() {
        return buf.getInt(252);
    }

    /**
     * The image for a data directory that starts at {@code checkpoint}: this file's identity, settings and
     * constants with the checkpoint fields replaced, recovery and backup fields cleared (or the minimum recovery
     * point set for a standby), unloggedLSN raised to at least FirstNormalUnloggedLSN (1000), time = {@code now},
     * the CRC recomputed, padded to 8192 bytes.
     *
     * @param state            {@link #DB_SHUTDOWNED}, or {@link #DB_SHUTDOWNED_IN_RECOVERY} for a standby
     * @param checkPointLsn    LSN of the checkpoint record
     * @param minRecoveryPoint 0, or for a standby the LSN replay must reach before the data is consistent
     */
    byte[] forCheckpoint(int state, long checkPointLsn, CheckPoint checkpoint, long minRecoveryPoint,
                         long nowSeconds) {
        ByteBuffer out = ByteBuffer.wrap(buf.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(16, state);
        out.putInt(20, 0);
        out.putLong(24, nowSeconds);
        out.putLong(32, checkPointLsn);
        out.put(40, checkpoint.bytes());
        if (out.getLong(128) < 1000) {
            out.putLong(128, 1000);
        }
        out.putLong(136, minRecoveryPoint);
        out.putInt(144, minRecoveryPoint == 0 ? 0 : checkpoint.timeline());
        out.putInt(148, 0);
        out.putLong(152, 0);
        out.putLong(160, 0);
        out.putInt(168, 0);
        zeroPadding(out);
        byte[] image = out.array();
        out.putInt(CRC_OFFSET, crc(image));
        return image;
    }

    private static void zeroPadding(ByteBuffer b) {
        for (int[] range : new int[][]{{177, 180}, {201, 204}, {249, 252}, {292, 296}}) {
            for (int i = range[0]; i < range[1]; i++) {
                b.put(i, (byte) 0);
            }
        }
    }

    /** CRC-32C over bytes [0, 288) as PostgreSQL computes it (java.util.zip.CRC32C is the same function). */
    static int crc(byte[] image) {
        CRC32C c = new CRC32C();
        c.update(image, 0, CRC_OFFSET);
        return (int) c.getValue();
    }
}
