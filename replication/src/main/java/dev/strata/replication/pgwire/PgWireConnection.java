package dev.strata.replication.pgwire;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A blocking client connection on the PostgreSQL wire protocol (3.0), small enough to run what pgjdbc cannot:
 * {@code BASE_BACKUP}, whose two result sets precede its COPY. Startup, TLS per {@code sslmode}, authentication,
 * simple queries with text results, and raw message access for callers that drive a COPY themselves.
 *
 * <pre>
 * client                          server
 *   [SSLRequest]          ---&gt;
 *                         &lt;---   'S' | 'N'
 *   StartupMessage        ---&gt;
 *                         &lt;---   Authentication* (answered by {@link Authenticator})
 *                         &lt;---   ParameterStatus*, BackendKeyData, ReadyForQuery
 *   Query                 ---&gt;
 *                         &lt;---   RowDescription, DataRow*, CommandComplete ... ReadyForQuery
 * </pre>
 * Not thread-safe: one thread drives a connection.
 */
public final class PgWireConnection implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final MessageReader reader;
    private final OutputStream out;
    private final Map<String, String> parameters = new HashMap<>();
    private final String where;

    private PgWireConnection(Socket socket, String where) throws IOException {
        this.socket = socket;
        // A small buffer: message headers and small messages come through it, while a large payload (XLogData,
        // COPY data) that finds it empty is read from the socket straight into its destination, so the bigger the
        // buffer, the more of each payload is copied twice.
        this.reader = new MessageReader(new BufferedInputStream(socket.getInputStream(), 8 << 10));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 14);
        this.where = where;
    }

    /**
     * Connects and authenticates.
     *
     * @param replication true for a physical replication (walsender) connection
     * @throws IOException naming the server when it cannot be reached or refuses the connection
     */
    public static PgWireConnection connect(ConnInfo info, boolean replication) throws IOException {
        String where = info.host() + ":" + info.port();
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(info.host(), info.port()), CONNECT_TIMEOUT_MS);
            raw.setTcpNoDelay(true);
            Socket s = negotiateTls(raw, info);
            PgWireConnection c = new PgWireConnection(s, where);
            c.startup(info, replication);
            return c;
        } catch (IOException | RuntimeException e) {
            raw.close();
            if (e instanceof PgServerException) {
                throw (PgServerException) e;
            }
            throw new IOException("connecting to " + where + " as " + info.user() + ": " + e.getMessage(), e);
        }
    }

    private static Socket negotiateTls(Socket raw, ConnInfo info) throws IOException {
        String mode = info.sslmode();
        if (mode.equals("disable") || mode.equals("allow")) {
            return raw;
        }
        raw.getOutputStream().write(FrontendMessages.sslRequest());
        raw.getOutputStream().flush();
        int answer = raw.getInputStream().read();
        if (answer == 'N') {
            if (mode.equals("prefer")) {
                return raw;
            }
            throw new IOException("sslmode=" + mode + " but the server does not accept TLS connections");
        }
        if (answer != 'S') {
            throw new IOException("unexpected answer " + answer + " to SSLRequest");
        }
        boolean verify = mode.startsWith("verify");
        try {
            SSLContext ctx = verify ? SSLContext.getDefault() : trustAll();
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, info.host(), info.port(), true);
            if (mode.equals("verify-full")) {
                SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(p);
            }
            tls.startHandshake();
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS setup failed: " + e.getMessage(), e);
        }
    }

    /** sslmode prefer and require encrypt without checking the certificate, as libpq does. */
    private static SSLContext trustAll() throws GeneralSecurityException {
        TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // not used by a client
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // sslmode require: encryption without verification, by definition
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        return ctx;
    }

    private void startup(ConnInfo info, boolean replication) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", info.user());
        params.put("database", replication ? "replication" : info.dbname());
        params.put("application_name", info.applicationName());
        if (replication) {
            params.put("replication", "true");
        }
        send(FrontendMessages.startup(params));
        Authenticator auth = new Authenticator(info);
        while (true) {
            BackendMessage m = reader.read();
            switch (m.type()) {
                case BackendMessage.AUTHENTICATION -> {
                    byte[] reply = auth.handle(m);
                    if (reply != null) {
                        send(reply);
                    }
                }
                case BackendMessage.PARAMETER_STATUS -> recordParameter(m);
                case BackendMessage.BACKEND_KEY_DATA, BackendMessage.NOTICE_RESPONSE -> {
                    // nothing to keep
                }
                case BackendMessage.ERROR_RESPONSE -> throw PgServerException.of("connecting to " + where,
                        m.payload());
                case BackendMessage.READY_FOR_QUERY -> {
                    return;
                }
                default -> throw new IOException("unexpected message " + m.typeName() + " during startup");
            }
        }
    }

    private void recordParameter(BackendMessage m) {
        byte[] p = m.payload();
        int nul = 0;
        while (p[nul] != 0) {
            nul++;
        }
        String name = new String(p, 0, nul, java.nio.charset.StandardCharsets.UTF_8);
        String value = new BackendMessage(m.type(), java.util.Arrays.copyOfRange(p, nul + 1, p.length)).cstring();
        parameters.put(name, value);
    }

    /** A ParameterStatus value the server reported (server_version, integer_datetimes, ...), or null. */
    public String parameter(String name) {
        return parameters.get(name);
    }

    /** "host:port", for messages. */
    public String where() {
        return where;
    }

    /** Sends raw message bytes and flushes. */
    public void send(byte[] message) throws IOException {
        out.write(message);
        out.flush();
    }

    /**
     * Reads the next message, handling the asynchronous ones (ParameterStatus, NoticeResponse, Notification)
     * itself.
     */
    public BackendMessage read() throws IOException {
        return read(null);
    }

    /**
     * Like {@link #read()}, but a CopyData message's payload goes straight from the stream to {@code copyData};
     * returns null after such a message. With a null {@code copyData}, every message is returned whole.
     */
    public BackendMessage read(MessageReader.CopyDataReader copyData) throws IOException {
        while (true) {
            BackendMessage m = reader.read(copyData);
            if (m == null) {
                return null;
            }
            switch (m.type()) {
                case BackendMessage.PARAMETER_STATUS -> recordParameter(m);
                case BackendMessage.NOTICE_RESPONSE, BackendMessage.NOTIFICATION -> {
                    // informational
                }
                default -> {
                    return m;
                }
            }
        }
    }

    /** Sets the socket read timeout (0 = none). */
    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /**
     * Runs one simple query whose results are plain result sets, and returns the rows of the last one as text
     * (null for SQL NULL).
     *
     * @throws PgServerException when the server answers with an error (the connection stays usable)
     */
    public List<String[]> query(String sql) throws IOException {
        send(FrontendMessages.query(sql));
        List<String[]> rows = new ArrayList<>();
        PgServerException error = null;
        while (true) {
            BackendMessage m = read();
            switch (m.type()) {
                case BackendMessage.ROW_DESCRIPTION -> rows = new ArrayList<>();
                case BackendMessage.DATA_ROW -> rows.add(ResultRows.parseDataRow(m));
                case BackendMessage.COMMAND_COMPLETE, BackendMessage.EMPTY_QUERY -> {
                    // the rows gathered so far are this statement's
                }
                case BackendMessage.ERROR_RESPONSE -> error = PgServerException.of(sql, m.payload());
                case BackendMessage.READY_FOR_QUERY -> {
                    if (error != null) {
                        throw error;
                    }
                    return rows;
                }
                default -> throw new IOException("unexpected message " + m.typeName() + " answering '" + sql + "'");
            }
        }
    }

    /** Sends Terminate and closes the socket. */
    @Override
    public void close() {
        try {
            if (!socket.isClosed()) {
                send(FrontendMessages.terminate());
            }
        } catch (IOException e) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
