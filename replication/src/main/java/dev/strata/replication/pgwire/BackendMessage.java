package dev.strata.replication.pgwire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One message from the server: a type byte and its payload (the bytes after the int32 length).
 *
 * @param type    the message type ('R', 'S', 'K', 'Z', 'T', 'D', 'C', 'E', 'N', 'H', 'd', 'c', ...)
 * @param payload the body; owned by the receiver
 */
public record BackendMessage(byte type, byte[] payload) {
    public static final byte AUTHENTICATION = 'R';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte READY_FOR_QUERY = 'Z';
    public static final byte ROW_DESCRIPTION = 'T';
    public static final byte DATA_ROW = 'D';
    public static final byte COMMAND_COMPLETE = 'C';
    public static final byte EMPTY_QUERY = 'I';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte NOTIFICATION = 'A';
    public static final byte COPY_OUT_RESPONSE = 'H';
    public static final byte COPY_BOTH_RESPONSE = 'W';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';

    /** A big-endian view of the payload. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(payload);
    }

    /** The payload up to its first NUL, as UTF-8 (CommandComplete tags). */
    public String cstring() {
        int end = 0;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        return new String(payload, 0, end, StandardCharsets.UTF_8);
    }

    public String typeName() {
        return "'" + (char) type + "'";
    }
}
