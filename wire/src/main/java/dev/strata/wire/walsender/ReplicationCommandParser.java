package dev.strata.wire.walsender;

import dev.strata.wire.admin.AdminCommandParser;
import dev.strata.wire.admin.Command;
import dev.strata.wire.admin.Tokens;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses what a replication connection may send: PostgreSQL 15's walsender grammar (repl_gram.y) for the commands
 * pg_basebackup and pg_receivewal use, and otherwise Strata's admin commands.
 *
 * <pre>
 * IDENTIFY_SYSTEM
 * SHOW name
 * TIMELINE_HISTORY tli
 * CREATE_REPLICATION_SLOT name [TEMPORARY] PHYSICAL [RESERVE_WAL | ( option [, ...] )]
 * DROP_REPLICATION_SLOT name [WAIT]
 * READ_REPLICATION_SLOT name
 * BASE_BACKUP [( option [value] [, ...] )]
 * START_REPLICATION [SLOT name] [PHYSICAL] X/Y [TIMELINE tli]
 * </pre>
 */
public final class ReplicationCommandParser {
    private ReplicationCommandParser() {
    }

    public static Command parse(String sql, ReplicationSlots slots) {
        Tokens t = Tokens.of(sql);
        String first = t.peekWord();
        if (first == null) {
            return null;
        }
        Command c;
        switch (first) {
            case "identify_system" -> {
                t.word("command");
                c = new ReplicationCommands.IdentifySystem();
            }
            case "show" -> {
                t.word("command");
                c = new ReplicationCommands.ReplicationShow(t.next("parameter name").text());
            }
            case "timeline_history" -> {
                t.word("command");
                c = new ReplicationCommands.TimelineHistory(integer(t.next("timeline").text(), "timeline"));
            }
            case "create_replication_slot" -> c = createSlot(t, slots);
            case "drop_replication_slot" -> {
                t.word("command");
                String name = t.next("slot name").text();
                t.accept("wait");
                c = new ReplicationCommands.DropSlot(name, slots);
            }
            case "read_replication_slot" -> {
                t.word("command");
                c = new ReplicationCommands.ReadSlot(t.next("slot name").text(), slots);
            }
            case "base_backup" -> {
                t.word("command");
                c = new ReplicationCommands.BaseBackup(BaseBackupOptions.of(options(t)));
            }
            case "start_replication" -> c = startReplication(t);
            default -> {
                return AdminCommandParser.parse(sql);
            }
        }
        t.expectEnd();
        return c;
    }

    private static Command createSlot(Tokens t, ReplicationSlots slots) {
        t.word("command");
        String name = t.next("slot name").text();
        boolean temporary = t.accept("temporary");
        String kind = t.word("PHYSICAL or LOGICAL");
        if (!kind.equals("physical") && !kind.equals("logical")) {
            throw PgException.syntax("expected PHYSICAL or LOGICAL after the slot name, got '" + kind + "'", null);
        }
        if (kind.equals("logical")) {
            while (t.hasMore()) {
                t.next("option");
            }
        } else if (!t.accept("reserve_wal") && "(".equals(t.peekWord())) {
            options(t);
        }
        return new ReplicationCommands.CreateSlot(name, temporary, kind.equals("logical"), slots);
    }

    private static Command startReplication(Tokens t) {
        t.word("command");
        String slot = t.accept("slot") ? t.next("slot name").text() : null;
        if (t.accept("logical")) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "logical replication is not available from Strata");
        }
        t.accept("physical");
        long lsn = t.lsn("start position");
        Integer tli = t.accept("timeline") ? integer(t.next("timeline").text(), "timeline") : null;
        return new ReplicationCommands.StartReplication(slot, lsn, tli);
    }

    /** {@code ( name [value] [, ...] )}, or nothing. */
    static List<BaseBackupOptions.Option> options(Tokens t) {
        List<BaseBackupOptions.Option> out = new ArrayList<>();
        if (!t.accept("(")) {
            return out;
        }
        while (true) {
            String name = t.next("option name").text();
            String value = null;
            String next = t.peekWord();
            if (next == null || (!next.equals(",") && !next.equals(")"))) {
                value = t.next("option value").text();
            }
            out.add(new BaseBackupOptions.Option(name, value));
            if (t.accept(")")) {
                return out;
            }
            t.expect(",");
        }
    }

    private static int integer(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw PgException.syntax(what + " must be an integer, got '" + text + "'", null);
        }
    }
}
