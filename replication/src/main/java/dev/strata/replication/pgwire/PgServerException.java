package dev.strata.replication.pgwire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ErrorResponse from the server: its fields by code (S severity, C SQLSTATE, M message, D detail, H hint...).
 * The message reads as PostgreSQL's own: {@code ERROR:  message (SQLSTATE xxxxx)} plus detail and hint.
 */
public final class PgServerException extends IOException {
    private final Map<Character, String> fields;

    private PgServerException(String context, Map<Character, String> fields) {
        super(format(context, fields));
        this.fields = fields;
    }

    /** Parses the payload of an ErrorResponse (or NoticeResponse): {@code (Byte1 code, String value)*, Byte1 0}. */
    public static Map<Character, String> parseFields(byte[] payload) {
        Map<Character, String> f = new LinkedHashMap<>();
        int i = 0;
        while (i < payload.length && payload[i] != 0) {
            char code = (char) payload[i++];
            int end = i;
            while (end < payload.length && payload[end] != 0) {
                end++;
            }
            f.put(code, new String(payload, i, end - i, StandardCharsets.UTF_8));
            i = end + 1;
        }
        return f;
    }

    public static PgServerException of(String context, byte[] payload) {
        return new PgServerException(context, parseFields(payload));
    }

    private static String format(String context, Map<Character, String> f) {
        StringBuilder b = new StringBuilder(context).append(": ");
        b.append(f.getOrDefault('S', "ERROR")).append(":  ").append(f.getOrDefault('M', "(no message)"));
        if (f.containsKey('C')) {
            b.append(" (SQLSTATE ").append(f.get('C')).append(')');
        }
        if (f.containsKey('D')) {
            b.append("; DETAIL: ").append(f.get('D'));
        }
        if (f.containsKey('H')) {
            b.append("; HINT: ").append(f.get('H'));
        }
        return b.toString();
    }

    /** The SQLSTATE, or null. */
    public String sqlState() {
        return fields.get('C');
    }

    /** The primary message (field M). */
    public String serverMessage() {
        return fields.getOrDefault('M', "");
    }
}
