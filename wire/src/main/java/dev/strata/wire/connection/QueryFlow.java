package dev.strata.wire.connection;

import dev.strata.wire.admin.AdminCommandParser;
import dev.strata.wire.admin.Command;
import dev.strata.wire.admin.CommandContext;
import dev.strata.wire.admin.ResultCommand;
import dev.strata.wire.protocol.BackendMessages;
import dev.strata.wire.protocol.Column;
import dev.strata.wire.protocol.FrontendMessage;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.PgFrameDecoder;
import dev.strata.wire.protocol.ResultSet;
import dev.strata.wire.protocol.SqlState;
import dev.strata.wire.walsender.ReplicationCommandParser;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Simple and extended query protocol of a ready connection (chapter 55.2 of the PostgreSQL 15 manual):
 *
 * <pre>
 * Query 'Q'   → per statement: [RowDescription, DataRow*] CommandComplete | EmptyQueryResponse | ErrorResponse,
 *               then ReadyForQuery
 * Parse 'P'   → ParseComplete          Bind 'B'   → BindComplete        Describe 'D' → [ParameterDescription]
 * Execute 'E' → DataRow* CommandComplete | PortalSuspended              RowDescription | NoData
 * Close 'C'   → CloseComplete          Sync 'S'   → ReadyForQuery       Flush 'H'    → (flush)
 * </pre>
 *
 * After an error in the extended protocol every message up to Sync is skipped, as PostgreSQL does. Commands that
 * take over the connection (page stream, backups, WAL streaming) are only accepted through Query, alone.
 */
final class QueryFlow {
    private final PgConnectionHandler conn;
    private final ExtendedQuery ext = new ExtendedQuery();

    QueryFlow(PgConnectionHandler conn) {
        this.conn = conn;
    }

    /** Puts the connection into skip-till-Sync after an extended-protocol error. */
    void ignoreTillSync() {
        ext.ignoreTillSync = true;
    }

    void onMessage(FrontendMessage m) {
        byte tag = m.tag();
        if (ext.ignoreTillSync && tag != FrontendMessage.SYNC && tag != FrontendMessage.TERMINATE) {
            return;
        }
        ByteBuf body = m.content();
        switch (tag) {
            case FrontendMessage.QUERY -> simpleQuery(body);
            case FrontendMessage.PARSE -> extended(() -> parse(body));
            case FrontendMessage.BIND -> extended(() -> bind(body));
            case FrontendMessage.DESCRIBE -> extended(() -> describe(body));
            case FrontendMessage.EXECUTE -> extended(() -> execute(body));
            case FrontendMessage.CLOSE -> extended(() -> close(body));
            case FrontendMessage.SYNC -> {
                ext.sync();
                conn.readyForQuery();
            }
            case FrontendMessage.FLUSH -> conn.flush();
            case FrontendMessage.TERMINATE -> conn.closeQuietly();
            case FrontendMessage.COPY_DATA, FrontendMessage.COPY_DONE, FrontendMessage.COPY_FAIL -> {
                // PostgreSQL ignores copy messages outside a COPY (a client may still be ending one)
            }
            case FrontendMessage.FUNCTION_CALL -> conn.fail(new PgException(SqlState.FEATURE_NOT_SUPPORTED,
                    "the function call protocol is not supported"), false);
            default -> conn.fail(new PgException(SqlState.PROTOCOL_VIOLATION, "invalid frontend message type "
                    + FrontendMessage.describeTag(tag) + " for a ready connection"), false);
        }
    }

    private void extended(Runnable step) {
        try {
            if (conn.session().isReplication()) {
                throw new PgException(SqlState.PROTOCOL_VIOLATION, "extended query protocol not supported in a "
                        + "replication connection", "send replication commands with the simple query protocol");
            }
            step.run();
        } catch (RuntimeException e) {
            conn.fail(e, true);
        }
    }

    private void simpleQuery(ByteBuf body) {
        List<Command> commands = new ArrayList<>();
        try {
            String sql = PgFrameDecoder.readCString(body);
            if (sql == null) {
                throw new PgException(SqlState.PROTOCOL_VIOLATION, "query string is not NUL-terminated");
            }
            for (String s : Statements.split(sql)) {
                commands.add(parseCommand(s));
            }
        } catch (RuntimeException e) {
            conn.fail(e, false);
            return;
        }
        if (commands.isEmpty()) {
            ByteBuf out = conn.buffer();
            BackendMessages.emptyQueryResponse(out);
            conn.write(out);
            conn.readyForQuery();
            return;
        }
        List<ResultCommand> results = new ArrayList<>();
        for (Command c : commands) {
            if (c instanceof ResultCommand r) {
                results.add(r);
            } else if (commands.size() > 1) {
                conn.fail(PgException.syntax("this command takes over the connection and must be sent alone, not "
                        + "with other statements in one query", null), false);
                return;
            }
        }
        if (results.isEmpty()) {
            conn.startStream(commands.get(0));
            return;
        }
        runResults(results);
    }

    Command parseCommand(String sql) {
        return conn.session().isReplication() ? ReplicationCommandParser.parse(sql, conn.server().slots())
                : AdminCommandParser.parse(sql);
    }

    private record Outcome(List<ResultSet> results, Throwable error) {
    }

    private void runResults(List<ResultCommand> commands) {
        CommandContext ctx = conn.commandContext();
        if (commands.stream().allMatch(ResultCommand::inline)) {
            finish(runAll(commands, ctx));
            return;
        }
        conn.async(() -> runAll(commands, ctx), this::finish, false);
    }

    private static Outcome runAll(List<ResultCommand> commands, CommandContext ctx) {
        List<ResultSet> done = new ArrayList<>();
        for (ResultCommand c : commands) {
            try {
                done.add(c.execute(ctx));
            } catch (Exception | AssertionError e) {
                return new Outcome(done, e);
            }
        }
        return new Outcome(done, null);
    }

    private void finish(Outcome o) {
        ByteBuf out = conn.buffer();
        for (ResultSet rs : o.results()) {
            BackendMessages.resultSet(out, rs);
        }
        conn.write(out);
        if (o.error() != null) {
            conn.fail(o.error(), false);
        } else {
            conn.readyForQuery();
        }
    }

    private void parse(ByteBuf body) {
        String name = cstring(body, "statement name");
        String sql = cstring(body, "query");
        int nParams = readShort(body, "parameter count");
        if (body.readableBytes() != 4 * nParams) {
            throw malformed("Parse");
        }
        List<String> parts = Statements.split(sql);
        if (parts.size() > 1) {
            throw PgException.syntax("cannot insert multiple commands into a prepared statement", null);
        }
        Command c = parts.isEmpty() ? null : parseCommand(parts.get(0));
        if (c != null && !(c instanceof ResultCommand)) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "this command takes over the connection and needs "
                    + "the simple query protocol", "send it as a plain Query (e.g. preferQueryMode=simple in pgjdbc)");
        }
        if (!name.isEmpty() && ext.statements.containsKey(name)) {
            throw new PgException("42P05", "prepared statement \"" + name + "\" already exists");
        }
        if (!ext.putStatement(name, new ExtendedQuery.Prepared(sql, (ResultCommand) c))) {
            throw new PgException(SqlState.PROGRAM_LIMIT_EXCEEDED, "too many prepared statements (at most "
                    + ExtendedQuery.MAX_STATEMENTS + ", " + (ExtendedQuery.MAX_STATEMENT_BYTES >> 20)
                    + " MiB of query text per connection)", "close statements you no longer need");
        }
        emit('1');
    }

    private void bind(ByteBuf body) {
        String portal = cstring(body, "portal name");
        String stmt = cstring(body, "statement name");
        int nFormats = readShort(body, "parameter format count");
        skip(body, 2L * nFormats, "Bind");
        int nParams = readShort(body, "parameter count");
        for (int i = 0; i < nParams; i++) {
            int len = readInt(body, "parameter length");
            skip(body, Math.max(0, len), "Bind");
        }
        int nResults = readShort(body, "result format count");
        int[] resultFormats = new int[nResults];
        for (int i = 0; i < nResults; i++) {
            resultFormats[i] = readShort(body, "result format");
            if (resultFormats[i] != 0 && resultFormats[i] != 1) {
                throw new PgException(SqlState.PROTOCOL_VIOLATION, "unsupported format code: " + resultFormats[i]);
            }
        }
        ExtendedQuery.Prepared p = ext.statements.get(stmt);
        if (p == null) {
            throw new PgException(SqlState.UNDEFINED_PSTATEMENT, "prepared statement \"" + stmt + "\" does not exist");
        }
        if (nParams != 0) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "bind message supplies " + nParams
                    + " parameters, but prepared statement \"" + stmt + "\" requires 0",
                    "Strata's commands take no parameters: write the values into the command");
        }
        int columns = p.command() == null ? 0 : p.command().columns().size();
        int[] formats = null;
        if (nResults == 1) {
            formats = new int[columns];
            Arrays.fill(formats, resultFormats[0]);
        } else if (nResults == columns && columns > 0) {
            formats = resultFormats;
        } else if (nResults != 0) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "bind message has " + nResults
                    + " result formats but query has " + columns + " columns");
        }
        if (!portal.isEmpty() && ext.portals.containsKey(portal)) {
            throw new PgException("42P03", "cursor \"" + portal + "\" already exists");
        }
        if (ext.portals.size() >= ExtendedQuery.MAX_PORTALS && !ext.portals.containsKey(portal)) {
            throw new PgException(SqlState.PROGRAM_LIMIT_EXCEEDED, "too many open portals (at most "
                    + ExtendedQuery.MAX_PORTALS + " until the next Sync)");
        }
        ext.portals.put(portal, new ExtendedQuery.Portal(p, formats));
        emit('2');
    }

    private void describe(ByteBuf body) {
        if (!body.isReadable()) {
            throw malformed("Describe");
        }
        byte kind = body.readByte();
        String name = cstring(body, "name");
        ByteBuf out = conn.buffer();
        if (kind == 'S') {
            ExtendedQuery.Prepared p = ext.statements.get(name);
            if (p == null) {
                out.release();
                throw new PgException(SqlState.UNDEFINED_PSTATEMENT, "prepared statement \"" + name
                        + "\" does not exist");
            }
            BackendMessages.parameterDescription(out, new int[0]);
            rowDescription(out, p.command(), null);
        } else if (kind == 'P') {
            ExtendedQuery.Portal pt = ext.portals.get(name);
            if (pt == null) {
                out.release();
                throw new PgException(SqlState.INVALID_CURSOR_NAME, "portal \"" + name + "\" does not exist");
            }
            rowDescription(out, pt.prepared.command(), pt.formats);
        } else {
            out.release();
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "invalid Describe kind " + kind + " (S or P)");
        }
        conn.write(out);
    }

    private static void rowDescription(ByteBuf out, ResultCommand c, int[] formats) {
        List<Column> columns = c == null ? List.of() : c.columns();
        if (columns.isEmpty()) {
            BackendMessages.emptyMessage(out, 'n');
        } else {
            BackendMessages.rowDescription(out, columns, formats);
        }
    }

    private void execute(ByteBuf body) {
        String name = cstring(body, "portal name");
        int maxRows = readInt(body, "row limit");
        ExtendedQuery.Portal pt = ext.portals.get(name);
        if (pt == null) {
            throw new PgException(SqlState.INVALID_CURSOR_NAME, "portal \"" + name + "\" does not exist");
        }
        ResultCommand c = pt.prepared.command();
        if (c == null) {
            ByteBuf out = conn.buffer();
            BackendMessages.emptyQueryResponse(out);
            conn.write(out);
            return;
        }
        if (pt.result != null) {
            emitRows(pt, maxRows);
            return;
        }
        CommandContext ctx = conn.commandContext();
        if (c.inline()) {
            try {
                pt.result = c.execute(ctx);
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new PgException(SqlState.INTERNAL_ERROR, e.toString());
            }
            emitRows(pt, maxRows);
            return;
        }
        conn.async(() -> c.execute(ctx), r -> {
            pt.result = r;
            emitRows(pt, maxRows);
        }, true);
    }

    private void emitRows(ExtendedQuery.Portal pt, int maxRows) {
        ResultSet rs = pt.result;
        ByteBuf out = conn.buffer();
        int end = maxRows <= 0 ? rs.rows().size() : Math.min(rs.rows().size(), pt.next + maxRows);
        for (; pt.next < end; pt.next++) {
            BackendMessages.dataRow(out, rs.columns(), rs.rows().get(pt.next), pt.formats);
        }
        if (pt.next < rs.rows().size()) {
            BackendMessages.emptyMessage(out, 's');
        } else {
            BackendMessages.commandComplete(out, rs.tag());
        }
        conn.write(out);
    }

    private void close(ByteBuf body) {
        if (!body.isReadable()) {
            throw malformed("Close");
        }
        byte kind = body.readByte();
        String name = cstring(body, "name");
        if (kind == 'S') {
            ext.removeStatement(name);
        } else if (kind == 'P') {
            ext.portals.remove(name);
        } else {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "invalid Close kind " + kind + " (S or P)");
        }
        emit('3');
    }

    private void emit(char tag) {
        ByteBuf out = conn.buffer();
        BackendMessages.emptyMessage(out, tag);
        conn.write(out);
    }

    private static String cstring(ByteBuf b, String what) {
        String s = PgFrameDecoder.readCString(b);
        if (s == null) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "malformed message: " + what + " is not NUL-terminated");
        }
        return s;
    }

    private static int readShort(ByteBuf b, String what) {
        if (b.readableBytes() < 2) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "malformed message: no room for " + what);
        }
        int v = b.readShort();
        if (v < 0) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "malformed message: negative " + what + " " + v);
        }
        return v;
    }

    private static int readInt(ByteBuf b, String what) {
        if (b.readableBytes() < 4) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "malformed message: no room for " + what);
        }
        return b.readInt();
    }

    private static void skip(ByteBuf b, long n, String message) {
        if (n < 0 || b.readableBytes() < n) {
            throw malformed(message);
        }
        b.skipBytes((int) n);
    }

    private static PgException malformed(String message) {
        return new PgException(SqlState.PROTOCOL_VIOLATION, "malformed " + message + " message");
    }
}
