package dev.strata.wire.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The users allowed in with SCRAM-SHA-256, read from a text file:
 *
 * <pre>
 * # comment
 * &lt;user&gt;:SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;
 * </pre>
 *
 * One user per line; blank lines and lines starting with {@code #} are ignored; the user name is everything before
 * the first {@code :}. Verifiers are in PostgreSQL's format ({@link ScramVerifier}), so
 * {@code SELECT rolname || ':' || rolpassword FROM pg_authid WHERE rolpassword LIKE 'SCRAM%'} on any PostgreSQL
 * produces valid lines.
 */
public final class ScramUsers {
    private final Map<String, ScramVerifier> users;

    public ScramUsers(Map<String, ScramVerifier> users) {
        this.users = Map.copyOf(users);
    }

    /** Loads the file; throws IOException naming the file and line of the first bad entry. */
    public static ScramUsers load(Path file) throws IOException {
        return parse(Files.readAllLines(file), file.toString());
    }

    public static ScramUsers parse(List<String> lines, String source) throws IOException {
        Map<String, ScramVerifier> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException(source + ":" + (i + 1) + ": expected <user>:SCRAM-SHA-256$..., got no user name");
            }
            try {
                users.put(line.substring(0, colon), ScramVerifier.parse(line.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IOException(source + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new ScramUsers(users);
    }

    /** The verifier of a user, or null. */
    public ScramVerifier verifier(String user) {
        return users.get(user);
    }

    public int size() {
        return users.size();
    }
}
