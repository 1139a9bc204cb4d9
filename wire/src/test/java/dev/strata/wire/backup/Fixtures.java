package dev.strata.wire.backup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** pg_control and CheckPoint images built field by field (the layout of the reference tables), for tests. */
final class Fixtures {
    static final long SYSID = 7_301_234_567_890_123_456L;

    private Fixtures() {
    }

    static byte[] checkpoint(long redo, int tli, long nextFullXid, int nextOid, int nextMulti, int nextMultiOffset,
                             int oldestXid, int oldestMulti) {
        ByteBuffer b = ByteBuffer.allocate(88).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, redo).putInt(8, tli).putInt(12, tli).put(16, (byte) 1);
        b.putLong(24, nextFullXid).putInt(32, nextOid).putInt(36, nextMulti).putInt(40, nextMultiOffset);
        b.putInt(44, oldestXid).putInt(48, 1).putInt(52, oldestMulti).putInt(56, 1);
        b.putLong(64, 1_700_000_000L);
        return b.array();
    }

    /** A typical checkpoint: next XID 0:747, OID 16410, multi 1, offset 0, oldest XID 716 in DB 1. */
    static byte[] checkpoint(long redo) {
        return checkpoint(redo, 1, 747, 16410, 1, 0, 716, 1);
    }

    static byte[] control(byte[] checkpoint, int segSize, int checksumVersion) {
        ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, SYSID).putInt(8, 1300).putInt(12, 202209061).putInt(16, 6);
        b.putLong(24, 1_700_000_000L);
        b.putLong(32, ByteBuffer.wrap(checkpoint).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        b.put(40, checkpoint);
        b.putLong(128, 1000);
        b.putInt(172, 1);
        b.putInt(180, 100).putInt(184, 8).putInt(188, 10).putInt(192, 5).putInt(196, 64);
        b.putInt(204, 8).putDouble(208, 1234567.0);
        b.putInt(216, 8192).putInt(220, 131072).putInt(224, 8192).putInt(228, segSize);
        b.putInt(232, 64).putInt(236, 32).putInt(240, 1996).putInt(244, 2048);
        b.put(248, (byte) 1).putInt(252, checksumVersion);
        for (int i = 0; i < 32; i++) {
            b.put(256 + i, (byte) (i * 7 + 3));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 288);
        b.putInt(288, (int) crc.getValue());
        return b.array();
    }

    static byte[] control(long redo) {
        return control(checkpoint(redo), 16 << 20, 0);
    }
}
