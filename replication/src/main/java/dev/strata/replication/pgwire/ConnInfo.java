package dev.strata.replication.pgwire;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A libpq connection string, in either form libpq accepts: {@code key=value} pairs ({@code host=127.0.0.1
 * port=5432 user=postgres password='a b'}) or a URI ({@code postgresql://user:pw@host:5432/db?sslmode=disable}).
 * Keys Strata uses: host, port, user, password, dbname, sslmode, application_name; libpq's environment variables
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE) fill what the string leaves out, as libpq does.
 * Unknown keys are kept and ignored.
 */
public final class ConnInfo {
    private final Map<String, String> params;

    private ConnInfo(Map<String, String> params) {
        this.params = params;
    }

    /**
     * @throws IllegalArgumentException naming the position of the problem when the string cannot be parsed
     */
    public static ConnInfo parse(String conninfo) {
        String s = conninfo.trim();
        Map<String, String> p = s.startsWith("postgresql://") || s.startsWith("postgres://") ? parseUri(s)
                : parseKeyValues(s);
        return new ConnInfo(p);
    }

    private static Map<String, String> parseKeyValues(String s) {
        Map<String, String> p = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                break;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException("connection string: missing '=' after '" + s.substring(i)
                        + "' at position " + i);
            }
            String key = s.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            i = readValue(s, eq + 1, value);
            p.put(key, value.toString());
        }
        return p;
    }

    /** Reads a plain or single-quoted value with backslash escapes; returns the index after it. */
    private static int readValue(String s, int i, StringBuilder out) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean quoted = i < s.length() && s.charAt(i) == '\'';
        if (quoted) {
            i++;
        }
        while (i < s.length()) {
            char c = s.charAt(i);
            if (quoted ? c == '\'' : Character.isWhitespace(c)) {
                return i + 1;
            }
            if (c == '\\' && i + 1 < s.length()) {
                i++;
                c = s.charAt(i);
            }
            out.append(c);
            i++;
        }
        if (quoted) {
            throw new IllegalArgumentException("connection string: unterminated quoted value");
        }
        return i;
    }

    private static Map<String, String> parseUri(String s) {
        Map<String, String> p = new LinkedHashMap<>();
        String rest = s.substring(s.indexOf("://") + 3);
        int q = rest.indexOf('?');
        String query = q >= 0 ? rest.substring(q + 1) : "";
        rest = q >= 0 ? rest.substring(0, q) : rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            putIfNotEmpty(p, "dbname", decode(rest.substring(slash + 1)));
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String cred = rest.substring(0, at);
            int colon = cred.indexOf(':');
            putIfNotEmpty(p, "user", decode(colon >= 0 ? cred.substring(0, colon) : cred));
            if (colon >= 0) {
                p.put("password", decode(cred.substring(colon + 1)));
            }
            rest = rest.substring(at + 1);
        }
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && !rest.endsWith("]")) {
            putIfNotEmpty(p, "port", rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        putIfNotEmpty(p, "host", decode(rest));
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                p.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
            }
        }
        return p;
    }

    private static void putIfNotEmpty(Map<String, String> p, String k, String v) {
        if (!v.isEmpty()) {
            p.put(k, v);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private String get(String key, String env, String dflt) {
        String v = params.get(key);
        if (v == null || v.isEmpty()) {
            v = env == null ? null : System.getenv(env);
        }
        return v == null || v.isEmpty() ? dflt : v;
    }

    public String host() {
        String h = get("host", "PGHOST", "localhost");
        return h.contains(",") ? h.substring(0, h.indexOf(',')) : h;
    }

    /** @throws IllegalArgumentException when the port is not a number */
    public int port() {
        String p = get("port", "PGPORT", "5432");
        try {
            return Integer.parseInt(p.contains(",") ? p.substring(0, p.indexOf(',')) : p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("connection string: port '" + p + "' is not a number", e);
        }
    }

    public String user() {
        return get("user", "PGUSER", System.getProperty("user.name"));
    }

    /** The password, or null. */
    public String password() {
        return get("password", "PGPASSWORD", null);
    }

    /** The database for SQL connections (libpq's default: the user name). */
    public String dbname() {
        return get("dbname", "PGDATABASE", user());
    }

    /** disable, allow, prefer (libpq's default), require, verify-ca or verify-full. */
    public String sslmode() {
        return get("sslmode", "PGSSLMODE", "prefer");
    }

    public String applicationName() {
        return get("application_name", null, "strata");
    }

    /** A pgjdbc URL for this server and database. */
    public String jdbcUrl() {
        String h = host().contains(":") ? "[" + host() + "]" : host();
        return "jdbc:postgresql://" + h + ":" + port() + "/" + dbname();
    }

    /** pgjdbc properties: credentials, TLS mode, and for a replication connection the walsender's needs. */
    public Properties jdbcProperties(boolean replication) {
        Properties props = new Properties();
        props.setProperty("user", user());
        if (password() != null) {
            props.setProperty("password", password());
        }
        props.setProperty("sslmode", sslmode());
        props.setProperty("ApplicationName", applicationName());
        props.setProperty("connectTimeout", "10");
        if (!replication) {
            props.setProperty("socketTimeout", "30");
        }
        if (replication) {
            // bounds a read stuck inside a message; idle waiting uses non-blocking reads and is not affected
            props.setProperty("socketTimeout", "120");
            props.setProperty("replication", "true");
            props.setProperty("assumeMinServerVersion", "9.4");
            props.setProperty("preferQueryMode", "simple");
        }
        return props;
    }

    /** The string with the password masked, for logs and status output. */
    public String redacted() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            String v = "password".equals(e.getKey()) ? "********" : e.getValue();
            b.append(e.getKey()).append('=').append(v.isEmpty() || v.contains(" ") ? "'" + v + "'" : v);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return redacted();
    }
}
