package dev.strata.wire.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The PostgreSQL types Strata's result sets use, with their pg_type OIDs and lengths, and their text and binary
 * wire encodings. Java values: TEXT any object (toString), INT8 Long, INT4 Integer, OID Integer (unsigned),
 * BOOL Boolean.
 */
public enum PgType {
    BOOL(16, 1),
    INT8(20, 8),
    INT4(23, 4),
    TEXT(25, -1),
    OID(26, 4);

    private final int oid;
    private final short length;

    PgType(int oid, int length) {
        this.oid = oid;
        this.length = (short) length;
    }

    public int oid() {
        return oid;
    }

    public short length() {
        return length;
    }

    /** The text form, as PostgreSQL's output function writes it. */
    public String text(Object value) {
        return switch (this) {
            case BOOL -> (Boolean) value ? "t" : "f";
            case OID -> Integer.toUnsignedString(((Number) value).intValue());
            default -> value.toString();
        };
    }

    /** Writes the value (never null) in the given format (0 text, 1 binary) as Int32 length + bytes. */
    public void write(ByteBuf out, Object value, int format) {
        if (format == 0 || this == TEXT) {
            byte[] bytes = text(value).getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length).writeBytes(bytes);
            return;
        }
        switch (this) {
            case BOOL -> out.writeInt(1).writeByte((Boolean) value ? 1 : 0);
            case INT8 -> out.writeInt(8).writeLong(((Number) value).longValue());
            case INT4, OID -> out.writeInt(4).writeInt(((Number) value).intValue());
            default -> throw new IllegalStateException("no binary form for " + this);
        }
    }
}
