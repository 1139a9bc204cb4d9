package dev.strata.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code strata.conf} file, in the style of postgresql.conf.
 *
 * <pre>
 * # comment (also after a value, when preceded by white space)
 * data-dir = /var/lib/strata
 * listen-pg = 0.0.0.0:6400
 * primary = 'host=10.0.0.5 port=5432 user=replicator dbname=postgres'
 * checkpoint-distance = 128MB
 * </pre>
 *
 * <ul>
 *   <li>One {@code name = value} per line; names are the long options of {@code strata pageserver} without the
 *   leading dashes ({@code _} may stand for {@code -}); blank lines and lines starting with {@code #} are
 *   ignored.</li>
 *   <li>A value is the rest of the line, trimmed, up to a {@code #} that follows white space; or a quoted string in
 *   single or double quotes (a doubled quote inside stands for one), which may contain spaces and {@code #}.</li>
 *   <li>A name given twice: the later line wins. An unknown name is an error naming the file and line.</li>
 *   <li>Options on the command line win over the file.</li>
 * </ul>
 */
public final class ConfFile {
    /** One setting as written. */
    public record Entry(Setting setting, String value, int line) {
    }

    private final Path path;
    private final List<Entry> entries;

    private ConfFile(Path path, List<Entry> entries) {
        this.path = path;
        this.entries = List.copyOf(entries);
    }

    public Path path() {
        return path;
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * Reads and parses a file.
     *
     * @throws IllegalArgumentException naming the file and line for a syntax error or an unknown name, or when the
     *                                  file cannot be read
     */
    public static ConfFile read(Path path) {
        try {
            return parse(path, Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("configuration file " + path + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read configuration file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Parses text as if read from {@code path}. */
    public static ConfFile parse(Path path, String text) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int lineNo = i + 1;
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw error(path, lineNo, "expected 'name = value', got '" + line + "'");
            }
            String name = line.substring(0, eq).strip();
            if (name.chars().anyMatch(Character::isWhitespace)) {
                throw error(path, lineNo, "expected 'name = value', got '" + line + "'");
            }
            Setting setting = Setting.byKey(name);
            if (setting == null) {
                throw error(path, lineNo, "unknown setting '" + name + "' (run 'strata pageserver --help' for the "
                        + "list)");
            }
            entries.add(new Entry(setting, value(path, lineNo, line.substring(eq + 1).strip()), lineNo));
        }
        return new ConfFile(path, entries);
    }

    private static String value(Path path, int line, String raw) {
        if (raw.isEmpty()) {
            throw error(path, line, "missing value after '='");
        }
        char q = raw.charAt(0);
        if (q != '\'' && q != '"') {
            int hash = commentStart(raw);
            return (hash < 0 ? raw : raw.substring(0, hash)).strip();
        }
        StringBuilder out = new StringBuilder();
        int i = 1;
        while (true) {
            if (i >= raw.length()) {
                throw error(path, line, "unterminated quoted value (a " + q + " is missing)");
            }
            char c = raw.charAt(i);
            if (c == q) {
                if (i + 1 < raw.length() && raw.charAt(i + 1) == q) {
                    out.append(q);
                    i += 2;
                    continue;
                }
                break;
            }
            out.append(c);
            i++;
        }
        String rest = raw.substring(i + 1).strip();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            throw error(path, line, "unexpected text after the quoted value: '" + rest + "'");
        }
        return out.toString();
    }

    private static int commentStart(String raw) {
        for (int i = 1; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && Character.isWhitespace(raw.charAt(i - 1))) {
                return i;
            }
        }
        return -1;
    }

    private static IllegalArgumentException error(Path path, int line, String message) {
        return new IllegalArgumentException(path + " line " + line + ": " + message);
    }
}
