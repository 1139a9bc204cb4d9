package dev.strata.replication.basebackup;

import dev.strata.replication.pgwire.BackendMessage;
import dev.strata.replication.pgwire.FrontendMessages;
import dev.strata.replication.pgwire.PgServerException;
import dev.strata.replication.pgwire.PgWireConnection;
import dev.strata.replication.pgwire.ResultRows;
import dev.strata.storage.pg.Lsn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of PostgreSQL 15's {@code BASE_BACKUP} on a replication connection, as a pull-based state
 * machine: {@link #start} reads the two result sets that precede the COPY, {@link #nextArchive()} yields each tar
 * archive as a stream, {@link #finish()} reads the end position.
 *
 * <pre>
 * Query BASE_BACKUP (...)
 *   result set 1: recptr text, tli int8        start position      (RowDescription, DataRow, CommandComplete)
 *   result set 2: spcoid, spclocation, size    one row per tablespace, the data directory last (NULL oid)
 *   CopyOutResponse
 *   CopyData 'n' archive-name\0 tablespace-path\0     a new archive (base.tar last)
 *   CopyData 'd' bytes                                archive bytes (a ustar stream)
 *   CopyData 'p' Int64 bytes-done                     progress, at most once a second and at archive ends
 *   CopyData 'm'                                      the manifest follows as 'd' messages (skipped)
 *   CopyDone
 *   result set 3: recptr text, tli int8        end position
 *   CommandComplete BASE_BACKUP, ReadyForQuery
 * </pre>
 * ErrorResponse at any point becomes a {@link PgServerException}. Not thread-safe.
 */
public final class BaseBackupStream {
    /** A tablespace as result set 2 lists it; the data directory has a null oid and location. */
    public record Tablespace(Integer oid, String location, Long sizeKb) {
    }

    /** One tar archive: {@code base.tar} for the data directory, {@code <oid>.tar} for a tablespace. */
    public record Archive(String name, String tablespacePath, InputStream data) {
    }

    private enum State { ARCHIVES, IN_ARCHIVE, MANIFEST, COPY_DONE, FINISHED }

    private final PgWireConnection conn;
    private final long startLsn;
    private final int timeline;
    private final List<Tablespace> tablespaces;
    private State state = State.ARCHIVES;
    private BackendMessage pushedBack;
    private long progressBytes;
    private long dataBytes;

    private BaseBackupStream(PgWireConnection conn, long startLsn, int timeline, List<Tablespace> tablespaces) {
        this.conn = conn;
        this.startLsn = startLsn;
        this.timeline = timeline;
        this.tablespaces = tablespaces;
    }

    /**
     * Sends the command and reads up to the CopyOutResponse.
     *
     * @param command e.g. {@code BASE_BACKUP (LABEL 'strata', PROGRESS, CHECKPOINT 'fast', WAIT false)}
     */
    public static BaseBackupStream start(PgWireConnection conn, String command) throws IOException {
        conn.send(FrontendMessages.query(command));
        List<String[]> first = readResultSet(conn, command);
        if (first.size() != 1 || first.get(0).length < 2) {
            throw new IOException("BASE_BACKUP start position: expected one row (recptr, tli), got "
                    + first.size());
        }
        long start = Lsn.parse(first.get(0)[0]);
        int tli = Integer.parseInt(first.get(0)[1]);
        List<Tablespace> spcs = new ArrayList<>();
        for (String[] row : readResultSet(conn, command)) {
            spcs.add(new Tablespace(row[0] == null ? null : Integer.parseUnsignedInt(row[0]), row[1],
                    row.length > 2 && row[2] != null ? Long.parseLong(row[2]) : null));
        }
        BackendMessage m = conn.read();
        if (m.type() == BackendMessage.ERROR_RESPONSE) {
            throw PgServerException.of(command, m.payload());
        }
        if (m.type() != BackendMessage.COPY_OUT_RESPONSE) {
            throw new IOException("BASE_BACKUP: expected CopyOutResponse, got " + m.typeName());
        }
        return new BaseBackupStream(conn, start, tli, spcs);
    }

    /** Reads RowDescription, DataRow*, CommandComplete. */
    private static List<String[]> readResultSet(PgWireConnection conn, String command) throws IOException {
        List<String[]> rows = new ArrayList<>();
        while (true) {
            BackendMessage m = conn.read();
            switch (m.type()) {
                case BackendMessage.ROW_DESCRIPTION -> rows.clear();
                case BackendMessage.DATA_ROW -> rows.add(ResultRows.parseDataRow(m));
                case BackendMessage.COMMAND_COMPLETE -> {
                    return rows;
                }
                case BackendMessage.ERROR_RESPONSE -> throw PgServerException.of(command, m.payload());
                default -> throw new IOException("BASE_BACKUP: unexpected " + m.typeName() + " in a result set");
            }
        }
    }

    /** The backup's start position: WAL from here on makes the copied files consistent. */
    public long startLsn() {
        return startLsn;
    }

    public int timeline() {
        return timeline;
    }

    public List<Tablespace> tablespaces() {
        return tablespaces;
    }

    /** Total size estimate in bytes (the PROGRESS option), or -1 without it. */
    public long totalBytesEstimate() {
        long total = 0;
        for (Tablespace t : tablespaces) {
            if (t.sizeKb() == null) {
                return -1;
            }
            total += t.sizeKb() * 1024;
        }
        return total;
    }

    /** Bytes of archive data streamed so far (the server's progress count when it sent one, else our own). */
    public long bytesDone() {
        return Math.max(progressBytes, dataBytes);
    }

    /** The next archive, or null after the last one. The previous archive's unread bytes are skipped. */
    public Archive nextArchive() throws IOException {
        while (state == State.IN_ARCHIVE) {
            nextData();
        }
        if (state != State.ARCHIVES) {
            return null;
        }
        while (true) {
            BackendMessage m = next();
            if (m.type() == BackendMessage.COPY_DONE) {
                state = State.COPY_DONE;
                return null;
            }
            byte kind = copyKind(m);
            if (kind == 'n') {
                ByteBuffer b = ByteBuffer.wrap(m.payload(), 1, m.payload().length - 1);
                String name = cstring(b);
                String path = cstring(b);
                state = State.IN_ARCHIVE;
                return new Archive(name, path, new ArchiveInput());
            } else if (kind == 'm') {
                state = State.MANIFEST;
                return null;
            } else if (kind == 'p') {
                progress(m);
            } else {
                throw new IOException("BASE_BACKUP: CopyData kind '" + (char) kind + "' outside an archive");
            }
        }
    }

    /**
     * Reads past the manifest and CopyDone to the end position and ReadyForQuery.
     *
     * @return the end LSN: the copied files are consistent once WAL up to here is applied
     */
    public long finish() throws IOException {
        while (nextArchive() != null) {
            // skip archives the caller did not read
        }
        while (state == State.MANIFEST) {
            BackendMessage m = next();
            if (m.type() == BackendMessage.COPY_DONE) {
                state = State.COPY_DONE;
            }
        }
        if (state != State.COPY_DONE) {
            throw new IllegalStateException("finish() in state " + state);
        }
        List<String[]> end = readResultSet(conn, "BASE_BACKUP");
        if (end.size() != 1) {
            throw new IOException("BASE_BACKUP end position: expected one row, got " + end.size());
        }
        long endLsn = Lsn.parse(end.get(0)[0]);
        while (true) {
            BackendMessage m = conn.read();
            if (m.type() == BackendMessage.READY_FOR_QUERY) {
                break;
            }
            if (m.type() == BackendMessage.ERROR_RESPONSE) {
                throw PgServerException.of("BASE_BACKUP", m.payload());
            }
        }
        state = State.FINISHED;
        return endLsn;
    }

    private BackendMessage next() throws IOException {
        if (pushedBack != null) {
            BackendMessage m = pushedBack;
            pushedBack = null;
            return m;
        }
        BackendMessage m = conn.read();
        if (m.type() == BackendMessage.ERROR_RESPONSE) {
            throw PgServerException.of("BASE_BACKUP", m.payload());
        }
        if (m.type() != BackendMessage.COPY_DATA && m.type() != BackendMessage.COPY_DONE) {
            throw new IOException("BASE_BACKUP: unexpected " + m.typeName() + " inside the COPY");
        }
        return m;
    }

    private static byte copyKind(BackendMessage m) throws IOException {
        if (m.payload().length == 0) {
            throw new IOException("BASE_BACKUP: empty CopyData message");
        }
        return m.payload()[0];
    }

    private void progress(BackendMessage m) throws IOException {
        if (m.payload().length < 9) {
            throw new IOException("BASE_BACKUP: progress message of " + m.payload().length + " bytes");
        }
        progressBytes = ByteBuffer.wrap(m.payload(), 1, 8).getLong();
    }

    /** The next data chunk of the current archive, or null at its end (the message after it is kept). */
    private byte[] nextData() throws IOException {
        while (true) {
            BackendMessage m = next();
            byte kind = m.type() == BackendMessage.COPY_DONE ? 0 : copyKind(m);
            if (kind == 'd') {
                dataBytes += m.payload().length - 1;
                return m.payload();
            }
            if (kind == 'p') {
                progress(m);
                continue;
            }
            pushedBack = m;
            state = State.ARCHIVES;
            return null;
        }
    }

    private static String cstring(ByteBuffer b) {
        int start = b.position();
        while (b.hasRemaining() && b.get() != 0) {
            // scan to the NUL
        }
        int end = b.position() - (b.position() > start && b.get(b.position() - 1) == 0 ? 1 : 0);
        return new String(b.array(), start, end - start, StandardCharsets.UTF_8);
    }

    /** The bytes of the current archive; EOF at its end. */
    private final class ArchiveInput extends InputStream {
        private byte[] chunk;
        private int pos;
        private boolean eof;

        private boolean fill() throws IOException {
            while (!eof && (chunk == null || pos >= chunk.length)) {
                if (state != State.IN_ARCHIVE) {
                    eof = true;
                    break;
                }
                chunk = nextData();
                pos = 1;
                if (chunk == null) {
                    eof = true;
                }
            }
            return !eof;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
