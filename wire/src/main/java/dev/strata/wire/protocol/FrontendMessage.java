package dev.strata.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One regular frontend message after startup: the type byte and the payload (the bytes after the length word).
 *
 * <p>Wire form: {@code Byte1 tag, Int32 length (including itself, not the tag), payload}. The payload is a retained
 * slice of the framer's cumulation; whoever receives this object owns it and must release it.
 */
public final class FrontendMessage extends DefaultByteBufHolder {
    public static final byte QUERY = 'Q';
    public static final byte PARSE = 'P';
    public static final byte BIND = 'B';
    public static final byte DESCRIBE = 'D';
    public static final byte EXECUTE = 'E';
    public static final byte SYNC = 'S';
    public static final byte FLUSH = 'H';
    public static final byte CLOSE = 'C';
    public static final byte TERMINATE = 'X';
    public static final byte PASSWORD = 'p';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';
    public static final byte COPY_FAIL = 'f';
    public static final byte FUNCTION_CALL = 'F';

    private final byte tag;

    public FrontendMessage(byte tag, ByteBuf payload) {
        super(payload);
        this.tag = tag;
    }

    public byte tag() {
        return tag;
    }

    /** The tag as a printable character for messages ('Q'), or its number when it is not printable. */
    public static String describeTag(byte tag) {
        return tag >= 0x20 && tag < 0x7F ? "'" + (char) tag + "'" : "0x" + Integer.toHexString(tag & 0xFF);
    }

    @Override
    public String toString() {
        return "FrontendMessage(" + describeTag(tag) + ", " + content().readableBytes() + " bytes)";
    }
}
