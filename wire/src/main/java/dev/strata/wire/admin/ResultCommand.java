package dev.strata.wire.admin;

import dev.strata.wire.protocol.Column;
import dev.strata.wire.protocol.ResultSet;

import java.util.List;

/** A command answered with one result set (possibly without rows). */
public interface ResultCommand extends Command {
    /** The columns of the result, known before it runs (for Describe); empty for a command without rows. */
    List<Column> columns();

    /** Runs the command; may block (it runs on the command pool unless {@link #inline()}). */
    ResultSet execute(CommandContext ctx) throws Exception;

    /** True for commands that never block and may run on the event loop (SET, SHOW). */
    default boolean inline() {
        return false;
    }
}
