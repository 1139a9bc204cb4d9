package dev.strata.storage.pgdata;

/**
 * The prepared transactions with a state file (the value under {@link dev.strata.storage.key.Key#twoPhaseDir()}).
 *
 * <p>Encoding (little-endian), transaction ids ascending (unsigned), no duplicates:
 * <pre>
 * u8  version     1
 * u32 count
 * count x u32     transaction id
 * </pre>
 * Each state file is a separate value under {@link dev.strata.storage.key.Key#twoPhaseFile(int)}: the state data as
 * the PREPARE record carries it (TwoPhaseFileHeader onward), without the CRC-32C that the file in
 * {@code pg_twophase/} appends (see {@link Datadir#twoPhaseFile(int, long)}).
 */
public final class TwoPhaseDirectory extends U32Set {
    public TwoPhaseDirectory() {
        super("two-phase directory");
    }

    /**
     * @throws IllegalArgumentException naming the problem when the bytes are not a two-phase directory
     */
    public static TwoPhaseDirectory decode(byte[] bytes) {
        TwoPhaseDirectory d = new TwoPhaseDirectory();
        d.decodeInto(bytes);
        return d;
    }
}
