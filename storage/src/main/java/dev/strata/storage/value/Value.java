package dev.strata.storage.value;

import java.util.Arrays;

/**
 * What is stored under a key at an LSN: a full image, or a record to apply on top of an older version.
 *
 * <p>Encoding (the bytes a layer file stores as one value):
 * <pre>
 * byte 0      kind: 0 IMAGE, 1 PG_RECORD, 2 STRATA_RECORD
 * byte 1      will-init: 1 when the record rebuilds the value from nothing (no older version needed), else 0;
 *             always 1 for IMAGE
 * byte 2..    payload
 *               IMAGE:         the value itself (an 8192-byte page, or a metadata value such as a relation size)
 *               PG_RECORD:     one whole XLogRecord as PostgreSQL 15 wrote it, reassembled (header, block
 *                              headers, images, data), xl_tot_len bytes; the record applies to the block of the
 *                              key it is stored under
 *               STRATA_RECORD: a record of Strata's own, for effects PostgreSQL performs on a page the WAL
 *                              record does not reference (visibility-map bits cleared by heap records, CLOG and
 *                              MultiXact SLRU changes); its format is owned by
 *                              {@code dev.strata.storage.redo.StrataRecord}
 * </pre>
 *
 * The version LSN a value is stored at is the record's end LSN ({@code EndRecPtr}): that is the LSN redo stamps
 * on the page, and a read at LSN L sees every value stored at an LSN &lt;= L.
 */
public final class Value {
    public static final byte IMAGE = 0;
    public static final byte PG_RECORD = 1;
    public static final byte STRATA_RECORD = 2;

    private final byte kind;
    private final boolean willInit;
    private final byte[] payload;

    private Value(byte kind, boolean willInit, byte[] payload) {
        this.kind = kind;
        this.willInit = willInit;
        this.payload = payload;
    }

    public static Value image(byte[] bytes) {
        return new Value(IMAGE, true, bytes);
    }

    public static Value pgRecord(byte[] xlogRecord, boolean willInit) {
        return new Value(PG_RECORD, willInit, xlogRecord);
    }

    public static Value strataRecord(byte[] payload, boolean willInit) {
        return new Value(STRATA_RECORD, willInit, payload);
    }

    public byte kind() {
        return kind;
    }

    public boolean isImage() {
        return kind == IMAGE;
    }

    /** True when nothing older is needed to reconstruct: an image, or a will-init record. */
    public boolean willInit() {
        return willInit;
    }

    /** The payload; callers must not modify it. */
    public byte[] payload() {
        return payload;
    }

    public int encodedSize() {
        return 2 + payload.length;
    }

    public byte[] encode() {
        byte[] out = new byte[encodedSize()];
        out[0] = kind;
        out[1] = (byte) (willInit ? 1 : 0);
        System.arraycopy(payload, 0, out, 2, payload.length);
        return out;
    }

    /**
     * Decodes {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException when the kind byte is unknown or the bytes are too short
     */
    public static Value decode(byte[] buf, int off, int len) {
        if (len < 2) {
            throw new IllegalArgumentException("value of " + len + " bytes is shorter than its 2-byte header");
        }
        byte kind = buf[off];
        if (kind != IMAGE && kind != PG_RECORD && kind != STRATA_RECORD) {
            throw new IllegalArgumentException("unknown value kind " + kind);
        }
        return new Value(kind, buf[off + 1] != 0, Arrays.copyOfRange(buf, off + 2, off + len));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Value v && v.kind == kind && v.willInit == willInit && Arrays.equals(v.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind + (willInit ? 1 : 0)) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        String k = kind == IMAGE ? "image" : kind == PG_RECORD ? "pg-record" : "strata-record";
        return k + (willInit && kind != IMAGE ? "(will-init)" : "") + "[" + payload.length + "B]";
    }
}
