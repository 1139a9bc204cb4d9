package dev.strata.replication.pgwire;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Encoders for the frontend messages the client sends. Each returns the complete message bytes.
 *
 * <pre>
 * SSLRequest       Int32 8, Int32 80877103
 * StartupMessage   Int32 len, Int32 196608 (3.0), (String name, String value)*, Byte1 0
 * Query            'Q' Int32 len, String sql
 * PasswordMessage  'p' Int32 len, String password            (cleartext or "md5"+hex)
 * SASLInitial      'p' Int32 len, String mechanism, Int32 n, Byte[n] data
 * SASLResponse     'p' Int32 len, Byte[] data
 * CopyDone         'c' Int32 4
 * Terminate        'X' Int32 4
 * </pre>
 * Strings are UTF-8 and NUL-terminated; integers are big-endian.
 */
public final class FrontendMessages {
    static final int SSL_REQUEST_CODE = 80877103;
    static final int PROTOCOL_3_0 = 196608;

    private FrontendMessages() {
    }

    public static byte[] sslRequest() {
        return ByteBuffer.allocate(8).putInt(8).putInt(SSL_REQUEST_CODE).array();
    }

    public static byte[] startup(Map<String, String> params) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : params.entrySet()) {
            cstring(body, e.getKey());
            cstring(body, e.getValue());
        }
        body.write(0);
        byte[] b = body.toByteArray();
        return ByteBuffer.allocate(8 + b.length).putInt(8 + b.length).putInt(PROTOCOL_3_0).put(b).array();
    }

    public static byte[] query(String sql) {
        return typed('Q', cstringBytes(sql));
    }

    public static byte[] password(String password) {
        return typed('p', cstringBytes(password));
    }

    public static byte[] saslInitial(String mechanism, byte[] data) {
        byte[] mech = cstringBytes(mechanism);
        return typed('p', ByteBuffer.allocate(mech.length + 4 + data.length).put(mech).putInt(data.length).put(data)
                .array());
    }

    public static byte[] saslResponse(byte[] data) {
        return typed('p', data);
    }

    public static byte[] copyDone() {
        return typed('c', new byte[0]);
    }

    public static byte[] terminate() {
        return typed('X', new byte[0]);
    }

    private static byte[] typed(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    private static byte[] cstringBytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static void cstring(ByteArrayOutputStream out, String s) {
        out.writeBytes(cstringBytes(s));
    }
}
