package dev.strata.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encoders of the backend messages Strata sends, each writing one complete message into a caller-owned buffer so
 * that a whole reply (RowDescription, DataRows, CommandComplete, ReadyForQuery) goes out as one buffer and one
 * flush. Layouts follow chapter 55.7 of the PostgreSQL 15 manual ("Message Formats"); every message is
 * {@code Byte1 tag, Int32 length (counting itself, not the tag), body}, integers big-endian, strings NUL-terminated
 * UTF-8. The length is written as a placeholder and patched once the body is known.
 */
public final class BackendMessages {
    /** ReadyForQuery transaction status: Strata has no transactions, so always idle. */
    public static final byte IDLE = 'I';

    private static final int AUTH_OK = 0;
    private static final int AUTH_CLEARTEXT_PASSWORD = 3;
    private static final int AUTH_SASL = 10;
    private static final int AUTH_SASL_CONTINUE = 11;
    private static final int AUTH_SASL_FINAL = 12;

    private BackendMessages() {
    }

    private static int begin(ByteBuf out, char tag) {
        out.writeByte(tag);
        int at = out.writerIndex();
        out.writeInt(0);
        return at;
    }

    private static void end(ByteBuf out, int lengthAt) {
        out.setInt(lengthAt, out.writerIndex() - lengthAt);
    }

    private static void cstring(ByteBuf out, String s) {
        ByteBufUtil.writeUtf8(out, s);
        out.writeByte(0);
    }

    /** AuthenticationOk: {@code 'R', Int32 8, Int32 0}. */
    public static void authenticationOk(ByteBuf out) {
        out.writeByte('R').writeInt(8).writeInt(AUTH_OK);
    }

    /** AuthenticationCleartextPassword: {@code 'R', Int32 8, Int32 3}; the JWT comes back as the password. */
    public static void authenticationCleartextPassword(ByteBuf out) {
        out.writeByte('R').writeInt(8).writeInt(AUTH_CLEARTEXT_PASSWORD);
    }

    /** AuthenticationSASL: {@code 'R', len, Int32 10, mechanism names as strings, then an empty string}. */
    public static void authenticationSasl(ByteBuf out, List<String> mechanisms) {
        int at = begin(out, 'R');
        out.writeInt(AUTH_SASL);
        for (String m : mechanisms) {
            cstring(out, m);
        }
        out.writeByte(0);
        end(out, at);
    }

    /** AuthenticationSASLContinue: {@code 'R', len, Int32 11, server-first-message bytes}. */
    public static void authenticationSaslContinue(ByteBuf out, byte[] data) {
        int at = begin(out, 'R');
        out.writeInt(AUTH_SASL_CONTINUE).writeBytes(data);
        end(out, at);
    }

    /** AuthenticationSASLFinal: {@code 'R', len, Int32 12, server-final-message bytes}. */
    public static void authenticationSaslFinal(ByteBuf out, byte[] data) {
        int at = begin(out, 'R');
        out.writeInt(AUTH_SASL_FINAL).writeBytes(data);
        end(out, at);
    }

    /** ParameterStatus: {@code 'S', len, name, value}. */
    public static void parameterStatus(ByteBuf out, String name, String value) {
        int at = begin(out, 'S');
        cstring(out, name);
        cstring(out, value);
        end(out, at);
    }

    /** BackendKeyData: {@code 'K', Int32 12, Int32 pid, Int32 secret}. */
    public static void backendKeyData(ByteBuf out, int pid, int secret) {
        out.writeByte('K').writeInt(12).writeInt(pid).writeInt(secret);
    }

    /** NegotiateProtocolVersion: {@code 'v', len, Int32 newest minor supported, Int32 n, n option names}. */
    public static void negotiateProtocolVersion(ByteBuf out, int minor, List<String> unsupportedOptions) {
        int at = begin(out, 'v');
        out.writeInt(minor).writeInt(unsupportedOptions.size());
        for (String o : unsupportedOptions) {
            cstring(out, o);
        }
        end(out, at);
    }

    /** ReadyForQuery: {@code 'Z', Int32 5, Byte1 status}. */
    public static void readyForQuery(ByteBuf out) {
        out.writeByte('Z').writeInt(5).writeByte(IDLE);
    }

    /**
     * ErrorResponse ({@code 'E'}) or NoticeResponse ({@code 'N'}): fields {@code Byte1 code, string value}, then a
     * zero byte. Sent: S and V (severity), C (SQLSTATE), M (message), H (hint) when there is one.
     */
    public static void errorResponse(ByteBuf out, String severity, String sqlState, String message, String hint) {
        notice(out, 'E', severity, sqlState, message, hint);
    }

    /** NoticeResponse with severity NOTICE (or WARNING), same fields as ErrorResponse. */
    public static void noticeResponse(ByteBuf out, String severity, String message) {
        notice(out, 'N', severity, SqlState.SUCCESSFUL_COMPLETION, message, null);
    }

    private static void notice(ByteBuf out, char tag, String severity, String sqlState, String message, String hint) {
        int at = begin(out, tag);
        out.writeByte('S');
        cstring(out, severity);
        out.writeByte('V');
        cstring(out, severity);
        out.writeByte('C');
        cstring(out, sqlState);
        out.writeByte('M');
        cstring(out, message);
        if (hint != null) {
            out.writeByte('H');
            cstring(out, hint);
        }
        out.writeByte(0);
        end(out, at);
    }

    /**
     * RowDescription: {@code 'T', len, Int16 n, n × (name, Int32 table oid 0, Int16 attnum 0, Int32 type oid,
     * Int16 type length, Int32 typmod -1, Int16 format)}.
     *
     * @param formats result format per column (0 text, 1 binary), or null for all text
     */
    public static void rowDescription(ByteBuf out, List<Column> columns, int[] formats) {
        int at = begin(out, 'T');
        out.writeShort(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            cstring(out, c.name());
            out.writeInt(0).writeShort(0).writeInt(c.type().oid()).writeShort(c.type().length()).writeInt(-1)
                    .writeShort(formats == null ? 0 : formats[i]);
        }
        end(out, at);
    }

    /** DataRow: {@code 'D', len, Int16 n, n × (Int32 length or -1 for NULL, bytes)}. */
    public static void dataRow(ByteBuf out, List<Column> columns, Object[] row, int[] formats) {
        int at = begin(out, 'D');
        out.writeShort(row.length);
        for (int i = 0; i < row.length; i++) {
            if (row[i] == null) {
                out.writeInt(-1);
            } else {
                columns.get(i).type().write(out, row[i], formats == null ? 0 : formats[i]);
            }
        }
        end(out, at);
    }

    /** CommandComplete: {@code 'C', len, tag}. */
    public static void commandComplete(ByteBuf out, String tag) {
        int at = begin(out, 'C');
        cstring(out, tag);
        end(out, at);
    }

    /** EmptyQueryResponse: {@code 'I', Int32 4}. */
    public static void emptyQueryResponse(ByteBuf out) {
        out.writeByte('I').writeInt(4);
    }

    /** ParseComplete {@code '1'}, BindComplete {@code '2'}, CloseComplete {@code '3'}, NoData {@code 'n'}, PortalSuspended {@code 's'}. */
    public static void emptyMessage(ByteBuf out, char tag) {
        out.writeByte(tag).writeInt(4);
    }

    /** ParameterDescription: {@code 't', len, Int16 n, n × Int32 type oid}. */
    public static void parameterDescription(ByteBuf out, int[] typeOids) {
        int at = begin(out, 't');
        out.writeShort(typeOids.length);
        for (int oid : typeOids) {
            out.writeInt(oid);
        }
        end(out, at);
    }

    /** CopyOutResponse {@code 'H'} or CopyBothResponse {@code 'W'}: {@code len, Int8 format 0, Int16 0 columns}. */
    public static void copyResponse(ByteBuf out, char tag) {
        out.writeByte(tag).writeInt(7).writeByte(0).writeShort(0);
    }

    /** The 5-byte header of a CopyData message whose body of {@code length} bytes the caller writes next. */
    public static void copyDataHeader(ByteBuf out, int length) {
        out.writeByte('d').writeInt(length + 4);
    }

    /** CopyDone: {@code 'c', Int32 4}. */
    public static void copyDone(ByteBuf out) {
        out.writeByte('c').writeInt(4);
    }

    /** Encodes a whole result set: RowDescription (if it has columns), DataRows, CommandComplete. */
    public static void resultSet(ByteBuf out, ResultSet rs) {
        if (rs.hasColumns()) {
            rowDescription(out, rs.columns(), null);
            for (Object[] row : rs.rows()) {
                dataRow(out, rs.columns(), row, null);
            }
        }
        commandComplete(out, rs.tag());
    }

    /** UTF-8 bytes of a string, for the few places that need a length first. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
