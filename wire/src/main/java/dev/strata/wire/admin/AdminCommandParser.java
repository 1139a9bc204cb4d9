package dev.strata.wire.admin;

import dev.strata.wire.copy.BackupCommand;
import dev.strata.wire.pagestream.PageStreamCommand;
import dev.strata.wire.protocol.PgException;

/**
 * Parses the commands of DESIGN A.4 (words case-insensitive):
 *
 * <pre>
 * tenant create [&lt;tenant&gt;]
 * tenant list
 * timeline create &lt;tenant&gt; [&lt;timeline&gt;] primary '&lt;conninfo&gt;' [slot &lt;name&gt;]
 * timeline branch &lt;tenant&gt; &lt;parent&gt; [&lt;new&gt;] [at &lt;lsn&gt;]
 * timeline list &lt;tenant&gt;
 * timeline detail &lt;tenant&gt; &lt;timeline&gt;
 * timeline checkpoint|compact|gc &lt;tenant&gt; &lt;timeline&gt;
 * layers &lt;tenant&gt; &lt;timeline&gt;
 * pagestream_v2|pagestream_v3 &lt;tenant&gt; &lt;timeline&gt;
 * basebackup &lt;tenant&gt; &lt;timeline&gt; [&lt;lsn&gt;|latest] [--gzip] [--replica]
 * fullbackup &lt;tenant&gt; &lt;timeline&gt; [&lt;lsn&gt; [&lt;prev_lsn&gt;]]
 * lease lsn &lt;tenant&gt; &lt;timeline&gt; &lt;lsn&gt;
 * set ...
 * show &lt;parameter&gt;
 * </pre>
 */
public final class AdminCommandParser {
    private static final String COMMANDS = "tenant create|list, timeline create|branch|list|detail|checkpoint|"
            + "compact|gc, layers, pagestream_v2, pagestream_v3, basebackup, fullbackup, lease lsn, set, show";

    private AdminCommandParser() {
    }

    /** Parses one statement; null for an empty one. */
    public static Command parse(String sql) {
        Tokens t = Tokens.of(sql);
        if (!t.hasMore()) {
            return null;
        }
        String first = t.word("command");
        Command c = switch (first) {
            case "tenant" -> tenant(t);
            case "timeline" -> timeline(t);
            case "layers" -> new AdminCommands.Layers(t.id("tenant id"), t.id("timeline id"));
            case "pagestream_v2", "pagestream_v3" ->
                    new PageStreamCommand(first.endsWith("3") ? 3 : 2, t.id("tenant id"), t.id("timeline id"));
            case "basebackup" -> basebackup(t);
            case "fullbackup" -> fullbackup(t);
            case "lease" -> {
                t.expect("lsn");
                yield new AdminCommands.LeaseLsn(t.id("tenant id"), t.id("timeline id"), t.lsn("LSN"));
            }
            case "set" -> {
                while (t.hasMore()) {
                    t.next("value");
                }
                yield new AdminCommands.Set();
            }
            case "show" -> new AdminCommands.Show(t.next("parameter name").text());
            default -> throw PgException.syntax("unknown command '" + first + "'", "Strata accepts: " + COMMANDS);
        };
        t.expectEnd();
        return c;
    }

    private static Command tenant(Tokens t) {
        String verb = t.word("tenant create|list");
        return switch (verb) {
            case "create" -> new AdminCommands.TenantCreate(t.hasMore() ? t.id("tenant id") : null);
            case "list" -> new AdminCommands.TenantList();
            default -> throw PgException.syntax("unknown command 'tenant " + verb + "'", usage("tenant"));
        };
    }

    private static Command timeline(Tokens t) {
        String verb = t.word("timeline create|branch|list|detail|checkpoint|compact|gc");
        return switch (verb) {
            case "create" -> {
                String tenant = t.id("tenant id");
                String timeline = t.peekId() ? t.id("timeline id") : null;
                t.expect("primary");
                String conninfo = t.string("conninfo");
                String slot = t.accept("slot") ? t.next("slot name").text() : null;
                yield new AdminCommands.TimelineCreate(tenant, timeline, conninfo, slot);
            }
            case "branch" -> {
                String tenant = t.id("tenant id");
                String parent = t.id("parent timeline id");
                String child = t.peekId() ? t.id("new timeline id") : null;
                Long lsn = t.accept("at") ? t.lsn("branch LSN") : null;
                yield new AdminCommands.TimelineBranch(tenant, parent, child, lsn);
            }
            case "list" -> new AdminCommands.TimelineList(t.id("tenant id"));
            case "detail" -> new AdminCommands.TimelineDetailCommand(t.id("tenant id"), t.id("timeline id"));
            case "checkpoint", "compact", "gc" ->
                    new AdminCommands.TimelineMaintenance(verb, t.id("tenant id"), t.id("timeline id"));
            default -> throw PgException.syntax("unknown command 'timeline " + verb + "'", usage("timeline"));
        };
    }

    private static Command basebackup(Tokens t) {
        String tenant = t.id("tenant id");
        String timeline = t.id("timeline id");
        Long lsn = null;
        if (t.hasMore() && !t.peekWord().startsWith("--")) {
            lsn = t.accept("latest") ? null : t.lsn("LSN");
        }
        boolean gzip = false;
        boolean replica = false;
        while (t.hasMore()) {
            String flag = t.word("flag");
            if (flag.equals("--gzip") && !gzip) {
                gzip = true;
            } else if (flag.equals("--replica") && !replica) {
                replica = true;
            } else {
                throw PgException.syntax((flag.equals("--gzip") || flag.equals("--replica") ? "duplicate" : "unknown")
                        + " flag '" + flag + "'", usage("basebackup"));
            }
        }
        return new BackupCommand(false, tenant, timeline, lsn, null, gzip, replica);
    }

    private static Command fullbackup(Tokens t) {
        String tenant = t.id("tenant id");
        String timeline = t.id("timeline id");
        Long lsn = t.hasMore() ? t.lsn("LSN") : null;
        Long prev = t.hasMore() ? t.lsn("prev LSN") : null;
        return new BackupCommand(true, tenant, timeline, lsn, prev, false, false);
    }

    /** The syntax of the command {@code sql} starts with (for hints). */
    static String usage(String sql) {
        String w = sql.strip().toLowerCase();
        if (w.startsWith("tenant")) {
            return "usage: tenant create [<tenant>] | tenant list";
        }
        if (w.startsWith("timeline")) {
            return "usage: timeline create <tenant> [<timeline>] primary '<conninfo>' [slot <name>] | timeline branch "
                    + "<tenant> <parent> [<new>] [at <lsn>] | timeline list <tenant> | timeline detail|checkpoint|"
                    + "compact|gc <tenant> <timeline>";
        }
        if (w.startsWith("basebackup")) {
            return "usage: basebackup <tenant> <timeline> [<lsn>|latest] [--gzip] [--replica]";
        }
        if (w.startsWith("fullbackup")) {
            return "usage: fullbackup <tenant> <timeline> [<lsn> [<prev_lsn>]]";
        }
        if (w.startsWith("lease")) {
            return "usage: lease lsn <tenant> <timeline> <lsn>";
        }
        if (w.startsWith("layers") || w.startsWith("pagestream")) {
            return "usage: " + w.split("\\s+")[0] + " <tenant> <timeline>";
        }
        return "Strata accepts: " + COMMANDS;
    }
}
