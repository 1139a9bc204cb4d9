package dev.strata.wire.admin;

import dev.strata.wire.connection.Session;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server parameters clients look at: sent as ParameterStatus after authentication and answered by SHOW.
 * psql, pgjdbc and pg_basebackup read server_version (libpq derives the major version from it; pg_basebackup
 * accepts 15), integer_datetimes (pg_basebackup refuses anything but on), client_encoding (pgjdbc insists on
 * UTF8), DateStyle (pgjdbc insists on ISO) and standard_conforming_strings.
 */
public final class ServerParameters {
    public static final String SERVER_VERSION = "15.18 (Strata 0.1.0)";
    public static final String SERVER_VERSION_NUM = "150018";
    /** Parameters SHOW answers besides the reported ones. */
    public static final List<String> SHOWABLE = List.of("server_version", "server_version_num", "server_encoding",
            "client_encoding", "DateStyle", "IntervalStyle", "TimeZone", "integer_datetimes",
            "standard_conforming_strings", "application_name", "is_superuser", "session_authorization",
            "wal_segment_size", "data_directory_mode", "block_size", "wal_block_size", "max_identifier_length",
            "in_hot_standby", "default_transaction_read_only", "strata.tenant", "strata.timeline", "strata.lsn");

    private ServerParameters() {
    }

    /** The ParameterStatus messages sent after authentication, in order. */
    public static Map<String, String> reported(Session s, String applicationName) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("application_name", applicationName == null ? "" : applicationName);
        p.put("client_encoding", "UTF8");
        p.put("DateStyle", "ISO, MDY");
        p.put("default_transaction_read_only", "off");
        p.put("in_hot_standby", "off");
        p.put("integer_datetimes", "on");
        p.put("IntervalStyle", "postgres");
        p.put("is_superuser", "on");
        p.put("server_encoding", "UTF8");
        p.put("server_version", SERVER_VERSION);
        p.put("session_authorization", s.user());
        p.put("standard_conforming_strings", "on");
        p.put("TimeZone", "UTC");
        return p;
    }

    /** The value SHOW answers with, or null for an unknown parameter (names are case-insensitive). */
    public static String show(String name, Session s) {
        String n = name.toLowerCase();
        for (Map.Entry<String, String> e : reported(s, s.settings().get("application_name")).entrySet()) {
            if (e.getKey().equalsIgnoreCase(n)) {
                return e.getValue();
            }
        }
        return switch (n) {
            case "server_version_num" -> SERVER_VERSION_NUM;
            case "wal_segment_size" -> "16MB";
            case "data_directory_mode" -> "0700";
            case "block_size", "wal_block_size" -> "8192";
            case "max_identifier_length" -> "63";
            case "strata.tenant", "strata.timeline", "strata.lsn" -> s.settings().getOrDefault(n, "");
            default -> null;
        };
    }
}
