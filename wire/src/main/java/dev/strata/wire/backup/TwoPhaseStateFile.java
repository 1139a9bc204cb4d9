package dev.strata.wire.backup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A {@code pg_twophase/XXXXXXXX} file: the prepared transaction's state, which starts with a TwoPhaseFileHeader
 * ({@code u32 magic = 0x57F94534}, {@code u32 total_len}, ...), followed by a CRC-32C of everything before it
 * (4 bytes, little-endian). {@code total_len} is the length of the whole file including that CRC.
 *
 * <p>The stored state may be either form: the data of the XLOG_XACT_PREPARE record (which is the file without its
 * CRC: {@code total_len = length + 4}), or a file copied from a data directory ({@code total_len = length}, CRC
 * checked). Anything else is an error naming the XID.
 */
final class TwoPhaseStateFile {
    static final int TWOPHASE_MAGIC = 0x57F94534;

    private TwoPhaseStateFile() {
    }

    static byte[] withCrc(int xid, byte[] state) {
        String what = "the two-phase state of transaction " + Integer.toUnsignedString(xid);
        if (state == null || state.length < 8) {
            throw new BackupException(what + " is " + (state == null ? "missing" : state.length + " bytes")
                    + "; a TwoPhaseFileHeader alone is longer");
        }
        ByteBuffer b = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != TWOPHASE_MAGIC) {
            throw new BackupException(String.format("%s has magic %08X, expected %08X", what, b.getInt(0),
                    TWOPHASE_MAGIC));
        }
        long totalLen = Integer.toUnsignedLong(b.getInt(4));
        CRC32C crc = new CRC32C();
        if (totalLen == state.length) {
            crc.update(state, 0, state.length - 4);
            int stored = b.getInt(state.length - 4);
            if (stored != (int) crc.getValue()) {
                throw new BackupException(String.format("%s has a bad CRC: stored %08X, computed %08X", what,
                        stored, (int) crc.getValue()));
            }
            return state;
        }
        if (totalLen == state.length + 4L) {
            crc.update(state, 0, state.length);
            byte[] file = new byte[state.length + 4];
            System.arraycopy(state, 0, file, 0, state.length);
            ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(state.length, (int) crc.getValue());
            return file;
        }
        throw new BackupException(what + " is " + state.length + " bytes but its header says total_len "
                + totalLen + " (expected the length, or the length + 4 for the CRC)");
    }
}
