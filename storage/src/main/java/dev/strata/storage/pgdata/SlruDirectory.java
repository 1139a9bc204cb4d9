package dev.strata.storage.pgdata;

/**
 * The segments of one SLRU (the value under {@link dev.strata.storage.key.Key#slruDir(int)}): which segment files
 * ({@code pg_xact/XXXX}, {@code pg_multixact/offsets/XXXX}, {@code pg_multixact/members/XXXX}) exist.
 *
 * <p>Encoding (little-endian), segment numbers ascending (unsigned), no duplicates:
 * <pre>
 * u8  version     1
 * u32 count
 * count x u32     segment number (the file name read as hex)
 * </pre>
 * Each segment's size in pages is a separate u32 LE value under
 * {@link dev.strata.storage.key.Key#slruSegmentSize(int, int)}; pages are 8192 bytes, 32 per full segment.
 */
public final class SlruDirectory extends U32Set {
    public SlruDirectory() {
        super("SLRU directory");
    }

    /**
     * @throws IllegalArgumentException naming the problem when the bytes are not an SLRU directory
     */
    public static SlruDirectory decode(byte[] bytes) {
        SlruDirectory d = new SlruDirectory();
        d.decodeInto(bytes);
        return d;
    }
}
