package dev.strata.wire.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small blocking client of the PostgreSQL protocol, enough for Strata's own tools and tests: startup with
 * trust, cleartext (JWT) or SCRAM-SHA-256 authentication, simple queries with text results, COPY OUT, and the
 * page stream ({@link PageStreamClient}). Not thread-safe; one user at a time.
 */
public final class PgWireClient implements AutoCloseable {
    /** One backend message: type byte and body. */
    public record Message(byte type, byte[] body) {
    }

    /** The result of one statement: column names, rows of text (null for NULL), command tag. */
    public record Result(List<String> columns, List<List<String>> rows, String tag) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private int processId;
    private int secretKey;

    private PgWireClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    /**
     * Connects and authenticates.
     *
     * @param password null for trust; a password for SCRAM, or a JWT for cleartext (JWT) auth
     * @param params   startup parameters besides user (e.g. options, replication, application_name)
     */
    public static PgWireClient connect(String host, int port, String user, String password,
                                       Map<String, String> params) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        PgWireClient c = new PgWireClient(s);
        try {
            c.startup(user, password, params);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public static PgWireClient connect(String host, int port) throws IOException {
        return connect(host, port, "strata", null, Map.of());
    }

    private void startup(String user, String password, Map<String, String> params) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        b.writeInt(3 << 16);
        cstring(b, "user");
        cstring(b, user);
        for (Map.Entry<String, String> p : params.entrySet()) {
            cstring(b, p.getKey());
            cstring(b, p.getValue());
        }
        b.writeByte(0);
        out.writeInt(body.size() + 4);
        body.writeTo(out);
        out.flush();
        ScramClient scram = null;
        while (true) {
            Message m = read();
            switch (m.type()) {
                case 'R' -> scram = authRequest(m, password, scram);
                case 'S' -> {
                    ByteBuffer bb = ByteBuffer.wrap(m.body());
                    parameters.put(readCString(bb), readCString(bb));
                }
                case 'K' -> {
                    ByteBuffer bb = ByteBuffer.wrap(m.body());
                    processId = bb.getInt();
                    secretKey = bb.getInt();
                }
                case 'Z' -> {
                    return;
                }
                case 'E' -> throw error(m);
                default -> {
                    // NoticeResponse, NegotiateProtocolVersion: nothing to do
                }
            }
        }
    }

    private ScramClient authRequest(Message m, String password, ScramClient scram) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(m.body());
        int code = bb.getInt();
        switch (code) {
            case 0 -> {
                return scram;
            }
            case 3 -> {
                requirePassword(password);
                ByteArrayOutputStream p = new ByteArrayOutputStream();
                cstring(new DataOutputStream(p), password);
                send((byte) 'p', p.toByteArray());
                flush();
                return scram;
            }
            case 10 -> {
                requirePassword(password);
                ScramClient s = new ScramClient(password);
                byte[] first = s.clientFirst();
                ByteArrayOutputStream p = new ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(p);
                cstring(d, "SCRAM-SHA-256");
                d.writeInt(first.length);
                d.write(first);
                send((byte) 'p', p.toByteArray());
                flush();
                return s;
            }
            case 11 -> {
                byte[] data = new byte[bb.remaining()];
                bb.get(data);
                send((byte) 'p', scram.clientFinal(data));
                flush();
                return scram;
            }
            case 12 -> {
                byte[] data = new byte[bb.remaining()];
                bb.get(data);
                scram.verifyServerFinal(data);
                return scram;
            }
            default -> throw new PgWireException("28000", "unsupported authentication request " + code);
        }
    }

    private static void requirePassword(String password) throws PgWireException {
        if (password == null) {
            throw new PgWireException("28000", "the server asks for a password (or token) and none was given");
        }
    }

    /** Runs a simple query and returns its results (one per statement); throws the first ErrorResponse. */
    public List<Result> query(String sql) throws IOException {
        sendQuery(sql);
        flush();
        List<Result> results = new ArrayList<>();
        List<String> columns = List.of();
        List<List<String>> rows = new ArrayList<>();
        PgWireException error = null;
        while (true) {
            Message m = read();
            switch (m.type()) {
                case 'T' -> columns = rowDescription(m.body());
                case 'D' -> rows.add(dataRow(m.body()));
                case 'C' -> {
                    results.add(new Result(columns, rows, readCString(ByteBuffer.wrap(m.body()))));
                    columns = List.of();
                    rows = new ArrayList<>();
                }
                case 'I' -> results.add(new Result(List.of(), List.of(), ""));
                case 'E' -> error = error(m);
                case 'Z' -> {
                    if (error != null) {
                        throw error;
                    }
                    return results;
                }
                default -> {
                    // notices and parameter changes
                }
            }
        }
    }

    /** Runs a COPY OUT query and writes the CopyData payloads to {@code sink}; returns the command tag. */
    public String copyOut(String sql, OutputStream sink) throws IOException {
        sendQuery(sql);
        flush();
        String tag = null;
        PgWireException error = null;
        while (true) {
            Message m = read();
            switch (m.type()) {
                case 'd' -> sink.write(m.body());
                case 'C' -> tag = readCString(ByteBuffer.wrap(m.body()));
                case 'E' -> error = error(m);
                case 'Z' -> {
                    if (error != null) {
                        throw error;
                    }
                    return tag;
                }
                default -> {
                    // CopyOutResponse, CopyDone
                }
            }
        }
    }

    /** Enters the page stream: sends the command and waits for CopyBothResponse. */
    public PageStreamClient pageStream(int version, String tenantId, String timelineId) throws IOException {
        sendQuery("pagestream_v" + version + " " + tenantId + " " + timelineId);
        flush();
        while (true) {
            Message m = read();
            if (m.type() == 'W') {
                return new PageStreamClient(this, version);
            }
            if (m.type() == 'E') {
                PgWireException e = error(m);
                expect('Z');
                throw e;
            }
        }
    }

    public void sendQuery(String sql) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(new DataOutputStream(b), sql);
        send((byte) 'Q', b.toByteArray());
    }

    /** Writes one message (buffered; call {@link #flush()}). */
    public void send(byte type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeInt(body.length + 4);
        out.write(body);
    }

    /** Writes raw bytes (for protocol tests). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** Reads one backend message. */
    public Message read() throws IOException {
        byte type = in.readByte();
        int len = in.readInt();
        if (len < 4 || len > (1 << 30)) {
            throw new IOException("invalid backend message length " + len + " for type " + (char) type);
        }
        byte[] body = new byte[len - 4];
        in.readFully(body);
        return new Message(type, body);
    }

    /** Reads messages until one of {@code type}; fails on ErrorResponse. */
    public Message expect(char type) throws IOException {
        while (true) {
            Message m = read();
            if (m.type() == type) {
                return m;
            }
            if (m.type() == 'E' && type != 'E') {
                throw error(m);
            }
        }
    }

    /** True when the server closed the connection (reads until EOF, discarding). */
    public boolean closedByServer() {
        try {
            while (true) {
                read();
            }
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    public Map<String, String> parameters() {
        return parameters;
    }

    public int processId() {
        return processId;
    }

    public int secretKey() {
        return secretKey;
    }

    public void setSoTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Sends Terminate and closes. */
    @Override
    public void close() {
        try {
            if (!socket.isClosed()) {
                send((byte) 'X', new byte[0]);
                flush();
            }
        } catch (IOException ignored) {
            // the server may already be gone; closing is all that is left
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Parses an ErrorResponse body into an exception (SQLSTATE and message). */
    public static PgWireException error(Message m) {
        ByteBuffer bb = ByteBuffer.wrap(m.body());
        String code = "?";
        String message = "";
        String hint = null;
        while (bb.hasRemaining()) {
            byte field = bb.get();
            if (field == 0) {
                break;
            }
            String value = readCString(bb);
            if (field == 'C') {
                code = value;
            } else if (field == 'M') {
                message = value;
            } else if (field == 'H') {
                hint = value;
            }
        }
        return new PgWireException(code, hint == null ? message : message + " (hint: " + hint + ")");
    }

    static List<String> rowDescription(byte[] body) {
        ByteBuffer bb = ByteBuffer.wrap(body);
        int n = bb.getShort();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(readCString(bb));
            bb.position(bb.position() + 18);
        }
        return names;
    }

    static List<String> dataRow(byte[] body) {
        ByteBuffer bb = ByteBuffer.wrap(body);
        int n = bb.getShort();
        List<String> row = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = bb.getInt();
            if (len < 0) {
                row.add(null);
            } else {
                row.add(new String(body, bb.position(), len, StandardCharsets.UTF_8));
                bb.position(bb.position() + len);
            }
        }
        return row;
    }

    static String readCString(ByteBuffer bb) {
        int start = bb.position();
        while (bb.get() != 0) {
            // scan to the terminator
        }
        return new String(bb.array(), start, bb.position() - start - 1, StandardCharsets.UTF_8);
    }

    private static void cstring(DataOutputStream d, String s) throws IOException {
        d.write(s.getBytes(StandardCharsets.UTF_8));
        d.writeByte(0);
    }

    DataInputStream input() {
        return in;
    }

    DataOutputStream output() {
        return out;
    }
}
