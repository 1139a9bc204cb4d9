package dev.strata.server.admin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** libpq connection strings as the server shows them: never with a password. */
public final class Conninfo {
    /** {@code password=secret} or {@code password='se cret'} (quotes may hold doubled or escaped quotes). */
    private static final Pattern KEYWORD = Pattern.compile("(?i)(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|\\S+)");
    /** {@code postgresql://user:secret@host/...}. */
    private static final Pattern URI = Pattern.compile("(?i)^(postgres(?:ql)?://[^:/@]+:)([^@]*)(@)");

    private Conninfo() {
    }

    /** The conninfo with any password replaced by {@code ******}; null stays null. */
    public static String redact(String conninfo) {
        if (conninfo == null) {
            return null;
        }
        String s = KEYWORD.matcher(conninfo).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "******"));
        return URI.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "******" + m.group(3)));
    }
}
