package dev.strata.wire.connection;

import dev.strata.wire.auth.Access;

import java.util.Map;

/**
 * What a connection established at startup: who, for what, and with which settings.
 *
 * @param user        the startup user name
 * @param database    the startup database name (informational: Strata has no databases to connect to)
 * @param replication NONE, PHYSICAL ({@code replication=true}) or DATABASE ({@code replication=database})
 * @param settings    the {@code -c} settings of the startup options (strata.tenant, strata.timeline, strata.lsn...)
 * @param access      what the authenticated session may reach
 */
public record Session(String user, String database, Replication replication, Map<String, String> settings,
                      Access access, int processId) {
    /** The kind of connection the {@code replication} startup parameter asked for. */
    public enum Replication { NONE, PHYSICAL, DATABASE }

    public boolean isReplication() {
        return replication != Replication.NONE;
    }

    /** Parses the {@code replication} startup parameter as PostgreSQL does. */
    public static Replication parseReplication(String value) {
        if (value == null) {
            return Replication.NONE;
        }
        return switch (value.toLowerCase()) {
            case "true", "on", "yes", "1" -> Replication.PHYSICAL;
            case "false", "off", "no", "0" -> Replication.NONE;
            case "database" -> Replication.DATABASE;
            default -> throw new IllegalArgumentException("invalid value for parameter \"replication\": \"" + value
                    + "\" (true, false or database)");
        };
    }
}
